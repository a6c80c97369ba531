import { DERIVED_KEY_PREFIXES, TABLE_DEFINITION } from '../../shared/db/keys.js';

/**
 * A Scan filter that leaves out the items the stream consumers derive from changes (the change feed,
 * the audit trail): they follow every committed change asynchronously, so a count that must not move
 * (a refused request writes nothing) counts records and the API's own items only.
 */
export const NOT_DERIVED = {
  FilterExpression: DERIVED_KEY_PREFIXES.map((_, i) => `NOT begins_with(#pk, :derived${i})`).join(' AND '),
  ExpressionAttributeNames: { '#pk': TABLE_DEFINITION.partitionKey },
  ExpressionAttributeValues: Object.fromEntries(
    DERIVED_KEY_PREFIXES.map((prefix, i) => [`:derived${i}`, { S: prefix }]),
  ),
};
