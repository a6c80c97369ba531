import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { backfillListShards } from '../../infra/shards-backfill.js';
import { INDEXES, listQuery, recordKey } from '../../shared/db/keys.js';
import { useStackEnv } from '../support/direct.js';
import { as } from '../support/stack.js';

type Rec = { id: string; ownerId: string; lifecycleStage?: string };
type Page = { items: Rec[] };

beforeAll(() => {
  useStackEnv();
});

describe('npm run shards:backfill', () => {
  it('re-keys a record written before sharding, so that its lists show it again; a re-run changes nothing', async () => {
    // Prepare: an account whose three list keys are put back as they were before sharding
    const { db, tableName } = await import('../../shared/db/client.js');
    const sally = await as('sally');
    const account = (
      await sally.post<Rec>('/v1/accounts', { name: 'Unsharded Co', lifecycleStage: 'prospect' })
    ).body;
    const lists = {
      all: listQuery('accounts', { by: 'all' }),
      owner: listQuery('accounts', { by: 'owner', value: account.ownerId }),
      state: listQuery('accounts', { by: 'state', value: 'prospect' }),
    };
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: recordKey('accounts', account.id),
        UpdateExpression: 'SET #a = :a, #o = :o, #s = :s',
        ExpressionAttributeNames: {
          '#a': INDEXES.byCollection.pk,
          '#o': INDEXES.byOwner.pk,
          '#s': INDEXES.byState.pk,
        },
        ExpressionAttributeValues: {
          ':a': lists.all.pkValue,
          ':o': lists.owner.pkValue,
          ':s': lists.state.pkValue,
        },
      }),
    );
    const paths = [
      '/v1/accounts?limit=100',
      `/v1/accounts?ownerId=${encodeURIComponent(account.ownerId)}&limit=100`,
      '/v1/accounts?lifecycleStage=prospect&limit=100',
    ];
    const shown = async () =>
      Promise.all(
        paths.map(async (p) => (await sally.get<Page>(p)).body.items.some((r) => r.id === account.id)),
      );
    const before = await shown();

    // Act
    const dry = await backfillListShards(false);
    const applied = await backfillListShards(true);
    const again = await backfillListShards(true);

    // Assess
    expect(before).toEqual([false, false, false]);
    expect(dry.outdated).toBeGreaterThanOrEqual(1);
    expect(dry.updated).toBe(0);
    expect(applied.updated).toBeGreaterThanOrEqual(1);
    expect(applied.conflicts).toBe(0);
    expect(await shown()).toEqual([true, true, true]);
    expect(again).toMatchObject({ outdated: 0, updated: 0 });
  });
});
