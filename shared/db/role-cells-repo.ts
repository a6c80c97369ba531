import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import {
  type Item,
  ROLES_VERSION_ATTR,
  roleCellItem,
  roleCellKey,
  roleCellOf,
  roleCellsPartition,
  rolesVersionKey,
} from './keys.js';
import { transact } from './transactions.js';

/** The role cells admins changed, and the version that tells a function whether to read them again. */

/** The matrix's version: one small GetItem, the freshness check every function makes now and then. */
export async function readRolesVersion(): Promise<number> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: rolesVersionKey(),
      ProjectionExpression: '#v',
      ExpressionAttributeNames: { '#v': ROLES_VERSION_ATTR },
    }),
  );
  const version = out.Item?.[ROLES_VERSION_ATTR];
  return typeof version === 'number' ? version : 0;
}

/** Every stored cell: at most groups × collections small items, always one page. Strongly consistent. */
export async function readRoleCells(): Promise<Item[]> {
  const q = roleCellsPartition();
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': q.pkAttr, '#sk': q.skAttr },
      ExpressionAttributeValues: { ':pk': q.pkValue, ':sk': q.skPrefix },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map(roleCellOf);
}

/** The stored cell of a group and collection, if an admin ever set it. */
export async function readRoleCell(group: string, collection: string): Promise<Item | undefined> {
  const { Item } = await db().send(
    new GetCommand({ TableName: tableName(), Key: roleCellKey(group, collection), ConsistentRead: true }),
  );
  return Item ? roleCellOf(Item) : undefined;
}

/**
 * Stores one cell and moves the matrix's version in ONE transaction: a function that sees the new
 * version reads the new cell. Concurrent changes both land (last writer wins per cell, each audited).
 */
export async function storeRoleCell(cell: { group: string; collection: string } & Item): Promise<void> {
  const versionKey = rolesVersionKey();
  const reasons = await transact([
    { Put: { TableName: tableName(), Item: roleCellItem(cell) } },
    {
      Update: {
        TableName: tableName(),
        Key: versionKey,
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': ROLES_VERSION_ATTR },
        ExpressionAttributeValues: { ':one': 1 },
      },
    },
  ]);
  if (reasons) throw new Error('storing a role cell was cancelled without a condition');
}
