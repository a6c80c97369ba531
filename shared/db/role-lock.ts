import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { fail } from '../domain/errors.js';
import { logger } from '../http/logger.js';
import { db, tableName } from './client.js';
import { ROLE_LOCK_ATTRS, roleLockItem, roleLockKey, TABLE_DEFINITION } from './keys.js';

/**
 * Serialises changes to one user's groups (Cognito has no conditional group write): a lease in the
 * table, taken with one conditional put before the groups are read and given back after they are
 * written. Longer than the role-change function may run (AppFunction's 10 s timeout), so a live
 * holder never loses it; a crashed one's lapses by itself.
 */
export const ROLE_LOCK_LEASE_MS = 15_000;
/** A second admin waits a little (≈ 0.75 s in all) for a change in flight, then gets a 409. */
const RETRY_DELAYS_MS = [50, 100, 200, 400];
export const ROLE_CHANGE_IN_PROGRESS = "Another change to this user's roles is in progress; try again.";

async function tryAcquire(userId: string, owner: string): Promise<boolean> {
  const now = Date.now();
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: roleLockItem(userId, owner, now + ROLE_LOCK_LEASE_MS),
        ConditionExpression: 'attribute_not_exists(#pk) OR #lease < :now',
        ExpressionAttributeNames: {
          '#pk': TABLE_DEFINITION.partitionKey,
          '#lease': ROLE_LOCK_ATTRS.leaseUntil,
        },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Gives the lease back, only if it is still ours; a failure here only leaves it to lapse. */
async function release(userId: string, owner: string): Promise<void> {
  try {
    await db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: roleLockKey(userId),
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': ROLE_LOCK_ATTRS.owner },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    // Lost to another holder means this change outlived its lease: worth an alarm, not a failed reply.
    logger.warn('role lock not released', { error, userId });
  }
}

/** Runs `work` while holding the user's role lock; 409 when another change keeps it. */
export async function withRoleLock<T>(userId: string, work: () => Promise<T>): Promise<T> {
  const owner = randomUUID();
  for (let attempt = 0; !(await tryAcquire(userId, owner)); attempt++) {
    const delay = RETRY_DELAYS_MS[attempt];
    if (delay === undefined) throw fail.conflict(ROLE_CHANGE_IN_PROGRESS);
    // Jitter, so that admins who met the same lock do not all try again at the same instant.
    await sleep(delay / 2 + Math.random() * delay);
  }
  try {
    return await work();
  } finally {
    await release(userId, owner);
  }
}
