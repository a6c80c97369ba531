import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { type StreamFailureRecord, startStreamPoller } from '../../infra/local/stream-poller.js';
import { STREAM_CONSUMERS } from '../../shared/config/streams.js';
import { COLLECTION_ATTRIBUTE, recordKey } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { eventually, type FeedItem, feedUntil, readFeed } from '../support/change-log.js';
import { useStackEnv } from '../support/direct.js';
import { as, readJsonLines, stack } from '../support/stack.js';
import { type StreamHandler, tableStream } from '../support/table-stream.js';

/**
 * The change feed through the local stack: HTTP → handler → DynamoDB Local → stream → the
 * change-feed consumer → GET /v1/changes. Waits have deadlines; nothing sleeps a fixed time.
 */

const dirs: string[] = [];
let aws: ReturnType<typeof localAwsConfig>;
let streamArn = '';

beforeAll(async () => {
  useStackEnv();
  ({ aws, streamArn } = await tableStream());
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const createAccount = async (name: string) => {
  const res = await (await as('sally')).post<{ id: string }>('/v1/accounts', {
    name: `${name} ${Date.now()}`,
  });
  expect(res.status).toBe(201);
  return res.body.id;
};

const expectNoDuplicates = (items: FeedItem[]) =>
  expect(new Set(items.map((i) => i.eventId)).size, 'no item twice').toBe(items.length);

describe('GET /v1/changes', () => {
  it('resumes from a cursor without gaps or duplicates, in commit order', async () => {
    // Prepare: the end of sales' feed so far
    const sally = await as('sally');
    const start = await readFeed(sally);

    // Act: changes, read up to them; more changes, resume from the cursor
    const first = [
      await createAccount('Feed one'),
      await createAccount('Feed two'),
      await createAccount('Feed three'),
    ];
    const before = await feedUntil(sally, start.cursor, first);
    const more = [await createAccount('Feed four'), await createAccount('Feed five')];
    const after = await feedUntil(sally, before.cursor, more);

    // Assess
    const ids = (items: FeedItem[]) =>
      items.filter((i) => [...first, ...more].includes(i.id)).map((i) => i.id);
    expect(ids(before.items)).toEqual(first);
    expect(ids(after.items)).toEqual(more);
    expectNoDuplicates([...before.items, ...after.items]);
    expect(after.items[0]).toMatchObject({ type: 'account.created', action: 'created', entity: 'account' });
  });

  it('gives back the same position when nothing is new, and refuses another feed’s cursor (400)', async () => {
    // Prepare
    const sally = await as('sally');
    const mark = await as('mark');
    const { cursor } = await readFeed(sally);

    // Act
    const again = await sally.get<{ items: FeedItem[]; nextCursor: string }>(
      `/v1/changes?since=${encodeURIComponent(cursor)}`,
    );
    const foreign = await mark.get(`/v1/changes?since=${encodeURIComponent(cursor)}`);

    // Assess
    expect(again.status).toBe(200);
    if (again.body.items.length === 0) expect(again.body.nextCursor).toBe(cursor);
    expect(foreign.status).toBe(400);
  });

  it("is redacted per department: marketing's feed has no opportunities, sales sees amount, admins all", async () => {
    // Prepare
    const [sally, mark, ada] = [await as('sally'), await as('mark'), await as('ada')];
    const [sales, marketing, admins] = [await readFeed(sally), await readFeed(mark), await readFeed(ada)];
    const accountId = await createAccount('Feed deal account');
    const deal = await sally.post<{ id: string }>('/v1/opportunities', {
      accountId,
      name: 'Feed deal',
      amount: '1234.50',
    });
    expect(deal.status).toBe(201);

    // Act
    const salesSeen = await feedUntil(sally, sales.cursor, [accountId, deal.body.id]);
    const adminsSeen = await feedUntil(ada, admins.cursor, [accountId, deal.body.id]);
    const marketingSeen = await feedUntil(mark, marketing.cursor, [accountId]);

    // Assess
    expect(salesSeen.items.find((i) => i.id === deal.body.id)!.record).toMatchObject({ amount: '1234.50' });
    expect(adminsSeen.items.find((i) => i.id === deal.body.id)!.record).toMatchObject({ amount: '1234.50' });
    expect(marketingSeen.items.filter((i) => i.entity === 'opportunity')).toEqual([]);
    const later = await readFeed(mark, marketingSeen.cursor);
    expect([...marketingSeen.items, ...later.items].some((i) => i.id === deal.body.id)).toBe(false);
  });
});

describe('the change-feed and audit consumers', () => {
  it('resume after a restart from their checkpoint, and a replayed batch duplicates nothing', async () => {
    // Prepare: a poller of our own with the real handlers, that keeps the records it handed over
    const dir = await mkdtemp(join(tmpdir(), 'feed-poller-'));
    dirs.push(dir);
    const feed = (await import('../../functions/streams/change-feed.js')).handler as unknown as StreamHandler;
    const audit = (await import('../../functions/streams/audit.js')).handler as unknown as StreamHandler;
    const seen: DynamoDBRecord[] = [];
    const start = () =>
      startStreamPoller({
        name: 'change-feed-test',
        aws,
        streamArn,
        checkpointFile: join(dir, 'checkpoint.json'),
        deadLetterFile: join(dir, 'dlq.jsonl'),
        settings: STREAM_CONSUMERS['change-feed'],
        intervalMs: 50,
        consumer: async (event) => {
          seen.push(...event.Records);
          return feed(event, lambdaContext('change-feed'));
        },
      });
    const idOf = (r: DynamoDBRecord) => String(r.dynamodb?.NewImage?.id?.S ?? '');
    const ada = await as('ada');

    // Act: a first poller reads everything so far, then stops; a second starts from its checkpoint
    const before = await createAccount('Restart before');
    let poller = await start();
    await eventually('the first poller reaches the record', async () =>
      seen.some((r) => idOf(r) === before) ? true : undefined,
    );
    await poller.stop();
    const handedOver = seen.length;
    const { cursor } = await readFeed(ada);
    const afterRestart = await createAccount('Restart after');
    poller = await start();
    await eventually('the second poller reaches the new record', async () =>
      seen.slice(handedOver).some((r) => idOf(r) === afterRestart) ? true : undefined,
    );
    await poller.stop();
    const resumed = await feedUntil(ada, cursor, [afterRestart]);

    // Replay: the new record's stream records, twice through each consumer
    const replayed = seen.slice(handedOver).filter((r) => idOf(r) === afterRestart);
    for (let i = 0; i < 2; i++) {
      expect(await feed({ Records: replayed }, lambdaContext('change-feed'))).toEqual({
        batchItemFailures: [],
      });
      expect(await audit({ Records: replayed }, lambdaContext('audit'))).toEqual({ batchItemFailures: [] });
    }
    const afterReplay = await readFeed(ada, cursor);

    // Assess: nothing handed over twice across the restart; one feed item and one audit entry each
    const beforeRecords = seen.filter((r) => idOf(r) === before).length;
    expect(beforeRecords).toBe(1);
    expect(seen.slice(handedOver).some((r) => idOf(r) === before)).toBe(false);
    expect(resumed.items.filter((i) => i.id === afterRestart)).toHaveLength(1);
    expect(afterReplay.items.filter((i) => i.id === afterRestart)).toHaveLength(1);
    expectNoDuplicates(afterReplay.items);
    const trail = await ada.get<{ items: { eventId: string }[] }>(
      `/v1/audit?collection=accounts&id=${afterRestart}`,
    );
    expect(trail.status).toBe(200);
    expect(trail.body.items).toHaveLength(1);
  });

  it('send a poison record to their dead-letter file and go on with the rest of the batch', async () => {
    // Prepare: an item that claims to be a record but holds none, written between two good changes
    const client = new DynamoDBClient(aws);
    const files = stack().deadLetterFiles;
    const dead = async (name: string) => readJsonLines<StreamFailureRecord>(files[name]!);
    const [feedBefore, auditBefore] = [(await dead('change-feed')).length, (await dead('audit')).length];
    const ada = await as('ada');
    const { cursor } = await readFeed(ada);
    const poisonKey = recordKey('accounts', newId());

    // Act
    const goodBefore = await createAccount('Poison before');
    await client.send(
      new PutItemCommand({
        TableName: stack().tableName,
        Item: marshall({ ...poisonKey, [COLLECTION_ATTRIBUTE]: 'accounts' }),
      }),
    );
    const goodAfter = await createAccount('Poison after');
    const seen = await feedUntil(ada, cursor, [goodBefore, goodAfter]);
    const letters = await eventually('a dead letter from each consumer', async () => {
      const [f, a] = [await dead('change-feed'), await dead('audit')];
      return f.length > feedBefore && a.length > auditBefore ? { f, a } : undefined;
    });
    await client.send(new DeleteItemCommand({ TableName: stack().tableName, Key: marshall(poisonKey) }));
    client.destroy();

    // Assess: the poison alone is discarded (after its retries); both good changes are in the feed
    for (const letter of [...letters.f.slice(feedBefore), ...letters.a.slice(auditBefore)]) {
      expect(letter.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(letter.DDBStreamBatchInfo.batchSize).toBe(1);
    }
    expect(letters.f.length - feedBefore).toBe(1);
    expect(seen.items.map((i) => i.id).filter((id) => id === goodBefore || id === goodAfter)).toEqual([
      goodBefore,
      goodAfter,
    ]);
  });
});
