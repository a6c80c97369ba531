import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import type { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { type StreamFailureRecord, startStreamPoller } from '../../infra/local/stream-poller.js';
import { STREAM_CONSUMERS } from '../../shared/config/streams.js';
import { COLLECTION_ATTRIBUTE, recordKey } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { eventually } from '../support/change-log.js';
import { useStackEnv } from '../support/direct.js';
import { as, readJsonLines, stack } from '../support/stack.js';
import { type StreamHandler, tableStream } from '../support/table-stream.js';

/**
 * The notify consumer on the real stream: a replayed batch makes no second notification, and a poison
 * record goes to its dead-letter file while the changes around it still notify.
 */
type Notification = { id: string; type: string; event: { id: string } };

const dirs: string[] = [];
let aws: ReturnType<typeof localAwsConfig>;
let streamArn = '';
let sally: ApiClient;
let mark: ApiClient;

beforeAll(async () => {
  useStackEnv();
  ({ aws, streamArn } = await tableStream());
  sally = await as('sally');
  mark = await as('mark');
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Mark's notifications about one record (his inbox is small: the first page of 100 holds them). */
async function marksAbout(recordId: string): Promise<Notification[]> {
  const res = await mark.get<{ items: Notification[] }>('/v1/notifications?limit=100');
  expect(res.status).toBe(200);
  return res.body.items.filter((n) => n.event.id === recordId);
}

async function mentionMark(accountName: string) {
  const account = await sally.post<{ id: string }>('/v1/accounts', { name: accountName });
  expect(account.status).toBe(201);
  const comment = await sally.post<{ id: string }>(`/v1/accounts/${account.body.id}/comments`, {
    body: `@mark about ${accountName}`,
  });
  expect(comment.status).toBe(201);
  return comment.body.id;
}

describe('the notify consumer', () => {
  it('makes no second notification when a batch is replayed', async () => {
    // Prepare: a poller of our own that only keeps the stream records of the comment
    const dir = await mkdtemp(join(tmpdir(), 'notify-poller-'));
    dirs.push(dir);
    const notify = (await import('../../functions/streams/notify.js')).handler as unknown as StreamHandler;
    const kept: DynamoDBRecord[] = [];
    const commentId = await mentionMark(`Replay ${Date.now()}`);
    const poller = await startStreamPoller({
      name: 'notify-replay-test',
      aws,
      streamArn,
      checkpointFile: join(dir, 'checkpoint.json'),
      deadLetterFile: join(dir, 'dlq.jsonl'),
      settings: STREAM_CONSUMERS.notify,
      intervalMs: 50,
      consumer: async (event) => {
        kept.push(...event.Records.filter((r) => r.dynamodb?.NewImage?.id?.S === commentId));
        return { batchItemFailures: [] };
      },
    });
    await eventually('the comment on the stream', async () => (kept.length ? true : undefined));
    await poller.stop();
    const first = await eventually('the stack notifies mark', async () => {
      const found = await marksAbout(commentId);
      return found.length ? found : undefined;
    });

    // Act: the same records, twice more through the consumer
    const replies = [
      await notify({ Records: kept }, lambdaContext('notify')),
      await notify({ Records: kept }, lambdaContext('notify')),
    ];

    // Assess
    expect(replies).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await marksAbout(commentId)).toEqual(first);
    expect(first).toHaveLength(1);
  });

  it('sends a poison record to its dead-letter file and notifies the changes around it', async () => {
    // Prepare: an item that claims to be a record but holds none, between two mentions
    const client = new DynamoDBClient(aws);
    const file = stack().deadLetterFiles.notify!;
    const before = (await readJsonLines<StreamFailureRecord>(file)).length;
    const poisonKey = recordKey('accounts', newId());

    // Act
    const goodBefore = await mentionMark(`Poison before ${Date.now()}`);
    await client.send(
      new PutItemCommand({
        TableName: stack().tableName,
        Item: marshall({ ...poisonKey, [COLLECTION_ATTRIBUTE]: 'accounts' }),
      }),
    );
    const goodAfter = await mentionMark(`Poison after ${Date.now()}`);
    const letters = await eventually('a dead letter from notify', async () => {
      const all = await readJsonLines<StreamFailureRecord>(file);
      return all.length > before ? all.slice(before) : undefined;
    });
    const notified = await eventually('both mentions notified', async () => {
      const [a, b] = [await marksAbout(goodBefore), await marksAbout(goodAfter)];
      return a.length && b.length ? [...a, ...b] : undefined;
    });
    await client.send(new DeleteItemCommand({ TableName: stack().tableName, Key: marshall(poisonKey) }));
    client.destroy();

    // Assess: the poison alone was discarded, after its retries
    for (const letter of letters) {
      expect(letter.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(letter.DDBStreamBatchInfo.batchSize).toBe(1);
    }
    expect(notified.map((n) => n.type)).toEqual(['mention', 'mention']);
  });
});
