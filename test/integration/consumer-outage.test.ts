import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { recordItem } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { feedItemsOf } from '../../shared/events/change-feed.js';
import { readChange } from '../../shared/events/stream-consumer.js';
import { logger } from '../../shared/http/logger.js';
import { eventually } from '../support/change-log.js';
import { storedCount } from '../support/derived-items.js';
import { useStackEnv } from '../support/direct.js';
import { type HookedProxy, startHookedProxy } from '../support/hooked-proxy.js';
import { stack } from '../support/stack.js';
import type { StreamHandler } from '../support/table-stream.js';

/**
 * The table out while a consumer writes (DynamoDB killed, a network partition): the consumer's
 * connections are refused, so it must retry the record within its invocation, not give the batch
 * back to the stream's few quick retries and then to its dead-letter queue (what a 14-22 s outage
 * did in `npm run test:faults`). "Out" here is a proxy in front of DynamoDB Local that stops
 * listening (ECONNREFUSED, as from a killed engine) and listens again on the same port once the
 * consumer has seen the refusal.
 */
describe('a stream consumer while the table does not answer', () => {
  let proxy: HookedProxy;

  beforeAll(async () => {
    proxy = await startHookedProxy(stack().dynamodbEndpoint);
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => proxy.stop());

  /** A new account's INSERT as the stream hands it over. */
  const insertOfNewAccount = (): DynamoDBRecord => {
    const now = new Date().toISOString();
    const record = {
      id: newId(),
      name: `Outage ${Date.now()}`,
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: 'sally',
      updatedBy: 'sally',
      ownerId: 'sally',
      ownerDept: 'sales',
    };
    const sequence = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    return {
      eventID: `outage-${sequence}`,
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: sequence,
        NewImage: marshall(recordItem('accounts', record), { removeUndefinedValues: true }) as never,
      },
    };
  };

  const feedItems = (record: DynamoDBRecord) => feedItemsOf(readChange(record));

  it('retries the record until the table answers again, writes it, and reports no failure', async () => {
    // Prepare: the change feed's handler, warmed up (its first call is not the point), then the table out
    const feed = (await import('../../functions/streams/change-feed.js')).handler as unknown as StreamHandler;
    const context = () =>
      lambdaContext('change-feed', STREAM_CONSUMER_SPECS['change-feed'].timeoutSeconds * 1000);
    expect(await feed({ Records: [insertOfNewAccount()] }, context())).toEqual({ batchItemFailures: [] });
    const warned = vi.spyOn(logger, 'warn');
    const record = insertOfNewAccount();
    expect(feedItems(record).length).toBeGreaterThan(0);
    await proxy.stop();

    // Act: the batch is handed over while the table is out; the table comes back once it was refused
    const handled = feed({ Records: [record] }, context());
    await eventually('the consumer meets the refusal', async () =>
      warned.mock.calls.length ? true : undefined,
    );
    await proxy.listenAgain();
    const response = await handled;

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(warned.mock.calls[0]?.[0]).toMatch(/did not answer/);
    expect(await storedCount(feedItems(record))).toBe(feedItems(record).length);
  });

  it('gives the record back to the stream when the outage outlasts the invocation', async () => {
    // Prepare: an invocation with little time left (its retry budget is spent at once)
    const feed = (await import('../../functions/streams/change-feed.js')).handler as unknown as StreamHandler;
    const record = insertOfNewAccount();
    await proxy.stop();

    // Act
    const response = await feed({ Records: [record] }, lambdaContext('change-feed', 1_000));
    await proxy.listenAgain();

    // Assess: named for the stream's retry, and nothing written
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    expect(await storedCount(feedItems(record))).toBe(0);
  });
});
