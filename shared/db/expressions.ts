import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from './keys.js';

/**
 * Builds UpdateExpressions with placeholder names and values for every attribute, so that no field
 * name (some are DynamoDB reserved words, like `name` and `status`) is ever written inline.
 */
function update(set: Item, remove: string[], opts: { add?: Record<string, number> } = {}) {
  const names: Record<string, string> = {};
  const values: Item = {};
  const sets: string[] = [];
  const removes: string[] = [];
  let n = 0;
  const name = (attr: string) => {
    const placeholder = `#a${n++}`;
    names[placeholder] = attr;
    return placeholder;
  };
  for (const [attr, value] of Object.entries(set)) {
    const v = `:v${n}`;
    sets.push(`${name(attr)} = ${v}`);
    values[v] = value;
  }
  for (const [attr, by] of Object.entries(opts.add ?? {})) {
    const v = `:v${n}`;
    sets.push(`${name(attr)} = ${name(attr)} + ${v}`);
    values[v] = by;
  }
  for (const attr of remove) removes.push(name(attr));
  const parts = [];
  if (sets.length) parts.push(`SET ${sets.join(', ')}`);
  if (removes.length) parts.push(`REMOVE ${removes.join(', ')}`);
  return {
    UpdateExpression: parts.join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export const expression = {
  update,
  /** Items a refused write returns come in wire format, even from the DocumentClient. */
  unmarshall: (item: Record<string, AttributeValue>): Item => unmarshall(item),
};
