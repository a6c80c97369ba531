import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplayTarget, replay } from '../../infra/dlq-replay.js';
import { fileSource } from '../../infra/dlq-replay-core.js';
import { LOCAL_REGION, localAwsConfig } from '../../infra/local/engines/local-aws.js';
import {
  type StreamFailureRecord,
  type StreamPoller,
  startStreamPoller,
} from '../../infra/local/stream-poller.js';
import { STREAM_CONSUMERS, type StreamConsumerName } from '../../shared/config/streams.js';
import { feedItemsOf } from '../../shared/events/change-feed.js';
import { readChange } from '../../shared/events/stream-consumer.js';
import { eventually } from '../support/change-log.js';
import { removeItems, storedCount } from '../support/derived-items.js';
import { useStackEnv } from '../support/direct.js';
import { as, eventsFor, readJsonLines, stack } from '../support/stack.js';
import { tableStream } from '../support/table-stream.js';

type Rec = { id: string };

let aws: Awaited<ReturnType<typeof tableStream>>['aws'];
let streamArn: string;
const dirs: string[] = [];
const pollers: StreamPoller[] = [];
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  useStackEnv();
  ({ aws, streamArn } = await tableStream());
});
afterAll(async () => {
  for (const p of pollers) await p.stop();
  for (const c of clients) c.destroy();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The local stack's stream and bus, with a dead-letter file of the test's own. */
function targetFor(deadLetterFile: string): ReplayTarget {
  const streams = new DynamoDBStreamsClient(localAwsConfig(stack().dynamodbEndpoint));
  const bus = new EventBridgeClient(localAwsConfig(stack().eventBus.endpoint));
  clients.push(streams, bus);
  return {
    source: fileSource(deadLetterFile),
    streams,
    bus,
    busName: stack().eventBus.name,
    region: LOCAL_REGION,
  };
}

const idOf = (r: DynamoDBRecord) => String(r.dynamodb?.NewImage?.id?.S ?? '');

/**
 * A consumer whose every invocation holding one of `failing`'s records throws (its target was down for
 * them): the poller retries, bisects and dead-letters exactly those, as Lambda does, to its own file.
 * Other records pass untouched (the stack's own consumer handles them). `failed` gets the records it
 * gave up on, by sequence number.
 */
async function failingConsumer(
  dir: string,
  consumer: StreamConsumerName,
  failing: Set<string>,
  failed: Map<string, DynamoDBRecord> = new Map(),
): Promise<string> {
  const deadLetterFile = join(dir, `${consumer}-dlq.jsonl`);
  pollers.push(
    await startStreamPoller({
      name: `${consumer}-replay-test`,
      aws,
      streamArn,
      checkpointFile: join(dir, 'checkpoint.json'),
      deadLetterFile,
      settings: { ...STREAM_CONSUMERS[consumer], retryAttempts: 1, maxBatchingWindowSeconds: 0 },
      intervalMs: 50,
      retryDelayMs: 10,
      consumer: async (event) => {
        const hit = event.Records.filter((r) => failing.has(idOf(r)));
        for (const r of hit) failed.set(String(r.dynamodb?.SequenceNumber), r);
        if (hit.length) throw new Error('the target is unreachable');
        return { batchItemFailures: [] };
      },
    }),
  );
  return deadLetterFile;
}

const failingPublisher = (dir: string, failing: Set<string>, failed?: Map<string, DynamoDBRecord>) =>
  failingConsumer(dir, 'publish-changes', failing, failed);

/** Whether some dead letter's range holds the sequence number. */
const covered = (letters: StreamFailureRecord[], sequence: string) =>
  letters.some(
    (l) =>
      BigInt(sequence) >= BigInt(l.DDBStreamBatchInfo.startSequenceNumber) &&
      BigInt(sequence) <= BigInt(l.DDBStreamBatchInfo.endSequenceNumber),
  );

describe('npm run dlq:replay', () => {
  it('re-reads a dead-lettered batch from the stream, publishes it, and only then deletes the message', async () => {
    // Prepare: two changes of one account that the failing publisher gives up on
    const dir = await mkdtemp(join(tmpdir(), 'dlq-replay-'));
    dirs.push(dir);
    const sally = await as('sally');
    const account = (await sally.post<Rec>('/v1/accounts', { name: 'Replay Me' })).body;
    await sally.patch(`/v1/accounts/${account.id}`, { industry: 'Replayed' });
    const failed = new Map<string, DynamoDBRecord>();
    const deadLetterFile = await failingPublisher(dir, new Set([account.id]), failed);
    const live = await eventually('the stack publishes both changes', async () => {
      const events = await eventsFor(account.id);
      return events.length >= 2 ? events : undefined;
    });
    const eventIds = live.map((e) => String(e.event.detail.eventId));
    const letters = await eventually('both changes are dead-lettered', async () => {
      const all = await readJsonLines<StreamFailureRecord>(deadLetterFile);
      return failed.size === 2 && [...failed.keys()].every((s) => covered(all, s)) ? all : undefined;
    });

    // Act
    const outcomes = await replay(targetFor(deadLetterFile), true);

    // Assess: each change is on the bus a second time, same eventId; the dead letters are gone
    expect(outcomes.map((o) => o.status)).toEqual(letters.map(() => 'replayed'));
    expect(outcomes.reduce((n, o) => n + ('events' in o ? o.events : 0), 0)).toBe(2);
    const after = await eventsFor(account.id);
    for (const eventId of eventIds)
      expect(after.filter((e) => e.event.detail.eventId === eventId)).toHaveLength(2);
    expect(await readJsonLines(deadLetterFile)).toEqual([]);
  });

  it('keeps a message whose records the stream no longer holds, and a dry run changes nothing', async () => {
    // Prepare: a dead letter naming a range no shard holds (as after the 24 h retention), and a real one
    const dir = await mkdtemp(join(tmpdir(), 'dlq-replay-'));
    dirs.push(dir);
    const sally = await as('sally');
    const account = (await sally.post<Rec>('/v1/accounts', { name: 'Dry Run' })).body;
    const deadLetterFile = await failingPublisher(dir, new Set([account.id]));
    const [real] = await eventually('the change is dead-lettered', async () => {
      const all = await readJsonLines<StreamFailureRecord>(deadLetterFile);
      return all.length ? all : undefined;
    });
    await eventually('the stack publishes the change', async () =>
      (await eventsFor(account.id)).length ? true : undefined,
    );
    const trimmed: StreamFailureRecord = {
      ...real!,
      requestContext: { ...real!.requestContext, requestId: 'trimmed' },
      DDBStreamBatchInfo: { ...real!.DDBStreamBatchInfo, startSequenceNumber: '1', endSequenceNumber: '2' },
    };
    await writeFile(deadLetterFile, `${JSON.stringify(trimmed)}\n${JSON.stringify(real)}\n`);

    // Act
    const dry = await replay(targetFor(deadLetterFile), false);
    const afterDry = await eventsFor(account.id);
    const applied = await replay(targetFor(deadLetterFile), true);

    // Assess
    expect(dry.map((o) => o.status)).toEqual(['kept', 'would replay']);
    expect(afterDry).toHaveLength(1);
    expect(applied.map((o) => o.status)).toEqual(['kept', 'replayed']);
    expect(applied[0]).toMatchObject({ requestId: 'trimmed', reason: expect.any(String) });
    expect(await eventsFor(account.id)).toHaveLength(2);
    expect(await readJsonLines<StreamFailureRecord>(deadLetterFile)).toEqual([trimmed]);
  });

  it("replays another consumer's dead letters through its own handler: the change feed's lost items come back", async () => {
    // Prepare: a change the failing change-feed gives up on, whose feed items (written by the stack's
    // own consumer) are then lost
    const dir = await mkdtemp(join(tmpdir(), 'dlq-replay-'));
    dirs.push(dir);
    const sally = await as('sally');
    const failed = new Map<string, DynamoDBRecord>();
    const account = (await sally.post<Rec>('/v1/accounts', { name: 'Replay Feed' })).body;
    const deadLetterFile = await failingConsumer(dir, 'change-feed', new Set([account.id]), failed);
    await eventually('the change is dead-lettered', async () => {
      const all = await readJsonLines<StreamFailureRecord>(deadLetterFile);
      return failed.size && [...failed.keys()].every((s) => covered(all, s)) ? all : undefined;
    });
    const items = [...failed.values()].flatMap((r) => feedItemsOf(readChange(r)));
    expect(items.length).toBeGreaterThan(0);
    await eventually('the stack writes the feed items', async () =>
      (await storedCount(items)) === items.length ? true : undefined,
    );
    await removeItems(items);
    const streams = new DynamoDBStreamsClient(localAwsConfig(stack().dynamodbEndpoint));
    clients.push(streams);
    const target = { source: fileSource(deadLetterFile), streams, region: LOCAL_REGION };

    // Act
    const dry = await replay({ ...target, consumer: 'change-feed' }, false);
    const afterDry = await storedCount(items);
    const applied = await replay({ ...target, consumer: 'change-feed' }, true);

    // Assess: a dry run wrote nothing; the replay wrote every lost item and emptied the dead letters
    expect(dry.length).toBeGreaterThan(0);
    expect(dry.map((o) => o.status)).toEqual(dry.map(() => 'would replay'));
    expect(afterDry).toBe(0);
    expect(applied.map((o) => o.status)).toEqual(dry.map(() => 'replayed'));
    expect(await storedCount(items)).toBe(items.length);
    expect(await readJsonLines(deadLetterFile)).toEqual([]);
  });
});
