import { open, readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { apiClient } from '../../infra/local/api-client.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { absent, live } from '../../shared/db/conditions.js';
import { recordItem } from '../../shared/db/keys.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import { descendantsOf } from '../bench/processes.js';
import { heading, ms, percentile, table } from '../bench/stats.js';
import {
  checkDeliveries,
  type DeliveryCheck,
  type LoggedEvent,
  type QueueMessage,
  violations,
  waitForEveryEvent,
} from '../load/checks.js';
import type { OwnStack } from '../load/own-stack.js';
import { signInAll } from '../load/workload.js';

/**
 * The stream path soaked: `changes` record writes (creates, then updates round the records) at a
 * steady rate straight into the table, so the API's cost does not cap the rate and all the CPU the
 * writes leave goes to the path under test: stream → pollers → publish-changes → bus → rules →
 * department queues. Each write is a whole, valid record (copied from one the API made), put with
 * the same conditions as the API's writes. Every `sampleMs` the queues and the events log are read
 * (only what is new) and the stack's RSS is sampled; afterwards every change must be one event,
 * logged once, and delivered once to each rule whose pattern matches it.
 */
export interface SoakOptions {
  changes: number;
  /** Records created first; the rest of the changes update them in turn. */
  records: number;
  /** Changes per second the writers keep to. */
  rate: number;
  writers: number;
  sampleMs: number;
  /** How long after the last write every change may take to be delivered. */
  patienceMs: number;
  /** Print a line per window as the run goes (the CLI; the smoke test keeps quiet). */
  live?: boolean;
}

export interface RssSample {
  /** ms since the writes began. */
  at: number;
  /** This process: gateway, handlers, stream pollers, bus. */
  node: number;
  dynamodb: number;
  /** cognito-local, s3rver, the SES stand-in: every other engine below this process. */
  others: number;
}

export interface SoakWindow {
  /** End of the window, ms since the writes began. */
  at: number;
  committed: number;
  /** (event, rule) deliveries in the queues so far. */
  delivered: number;
  /** Lag of the deliveries seen in this window: commit (the write's reply) → the queue line. */
  lag: { n: number; p50: number; p99: number };
  rss: RssSample;
}

export interface SoakReport {
  options: SoakOptions;
  writeSeconds: number;
  /** ms from the first write until the last delivery was seen. */
  drainedAt: number;
  windows: SoakWindow[];
  lag: {
    bus: { p50: number; p99: number; max: number };
    delivery: { p50: number; p99: number; max: number };
  };
  /** Changes whose (record, version) has no event in the log, or more than one. */
  eventless: string[];
  doubled: string[];
  refusedWrites: number;
  deliveries: DeliveryCheck;
  problems: string[];
}

const MB = 2 ** 20;

/** The lines appended to a JSON-lines file since the last call (none while it does not exist). */
function tailer<T>(file: string) {
  let offset = 0;
  let rest = '';
  const decoder = new StringDecoder('utf8');
  return async (): Promise<T[]> => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) return [];
    try {
      const { size } = await handle.stat();
      if (size <= offset) return [];
      const buffer = Buffer.alloc(size - offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      const lines = (rest + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      rest = lines.pop() ?? '';
      return lines.filter(Boolean).map((line) => JSON.parse(line) as T);
    } finally {
      await handle.close();
    }
  };
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

async function sampleRss(at: number): Promise<RssSample> {
  const sample: RssSample = { at, node: await rssOf(process.pid), dynamodb: 0, others: 0 };
  for (const row of await descendantsOf(process.pid)) {
    const rss = await rssOf(row.pid);
    if (/DynamoDBLocal/.test(row.args)) sample.dynamodb += rss;
    else sample.others += rss;
  }
  return sample;
}

interface Template {
  collection: CollectionName;
  fields: Record<string, unknown>;
  /** The field each update changes. */
  field: string;
}

const META = ['id', 'version', 'createdAt', 'updatedAt'];

/** A record of each collection made through the API, as the shape (owner, fields) of the soak's own. */
async function templates(info: StackInfo): Promise<Template[]> {
  const tokens = await signInAll(info);
  const make = async (token: string, path: string, body: unknown) => {
    const reply = await apiClient(info.apiUrl, token).post<Record<string, unknown>>(path, body);
    if (reply.status !== 201) throw new Error(`soak template POST ${path} answered ${reply.status}`);
    return reply.body;
  };
  const shape = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).filter(([k]) => !META.includes(k)));
  const account = await make(tokens.sally, '/v1/accounts', { name: 'Soak account' });
  const lead = await make(tokens.mark, '/v1/leads', { name: 'Soak lead', status: 'working' });
  const kase = await make(tokens.sue, '/v1/cases', { accountId: account.id, subject: 'Soak case' });
  return [
    { collection: 'accounts', fields: shape(account), field: 'industry' },
    { collection: 'leads', fields: shape(lead), field: 'source' },
    { collection: 'cases', fields: shape(kase), field: 'subject' },
  ];
}

export async function runSoak(own: OwnStack, o: SoakOptions): Promise<SoakReport> {
  const { info } = own.stack;
  const kinds = await templates(info);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...localAwsConfig(info.dynamodbEndpoint), maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const TableName = info.tableName;
  const stored: { kind: Template; record: Record<string, unknown> & { id: string; version: number } }[] = [];
  /** When each (record, version) was committed: the write's reply, ms since the writes began. */
  const commits = new Map<string, number>();
  const key = (id: string, version: number | undefined) => `${id}#${version ?? 0}`;
  let refusedWrites = 0;

  const write = async (i: number, now: () => number) => {
    const at = new Date().toISOString();
    let entry: (typeof stored)[number];
    let condition: ReturnType<typeof live>;
    if (i < o.records) {
      const kind = kinds[i % kinds.length]!;
      entry = {
        kind,
        record: { ...kind.fields, id: newId(), version: 1, createdAt: at, updatedAt: at },
      };
      stored.push(entry);
      condition = absent();
    } else {
      entry = stored[(i - o.records) % stored.length]!;
      condition = live({ versions: [entry.record.version] });
      entry.record = {
        ...entry.record,
        [entry.kind.field]: `soak ${i}`,
        version: entry.record.version + 1,
        updatedAt: at,
      };
    }
    const { record, kind } = entry;
    try {
      await client.send(
        new PutCommand({ TableName, Item: recordItem(kind.collection, record), ...condition }),
      );
      commits.set(key(record.id, record.version), now());
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      refusedWrites++;
    }
  };

  const readQueues = Object.values(info.queues).map((file) => tailer<QueueMessage>(file));
  const readEvents = tailer<LoggedEvent>(info.eventsLog);
  const windows: SoakWindow[] = [];
  const busLags: number[] = [];
  const deliveryLags: number[] = [];
  let delivered = 0;
  let lastDelivery = 0;
  const began = Date.now();
  const now = () => Date.now() - began;
  const lagOf = (version: number | undefined, id: string, at: string) => {
    const committed = commits.get(key(id, version));
    return committed === undefined ? undefined : new Date(at).getTime() - began - committed;
  };
  const sample = async () => {
    const lags: number[] = [];
    for (const read of readQueues) {
      for (const m of await read()) {
        const lag = lagOf(m.body.detail.record?.version, m.body.detail.id, m.sentAt);
        delivered++;
        if (lag === undefined) continue;
        lags.push(lag);
        lastDelivery = Math.max(lastDelivery, new Date(m.sentAt).getTime() - began);
      }
    }
    for (const { event, receivedAt } of await readEvents()) {
      const lag = lagOf(event.detail.record?.version, event.detail.id, receivedAt);
      if (lag !== undefined) busLags.push(lag);
    }
    deliveryLags.push(...lags);
    const window: SoakWindow = {
      at: now(),
      committed: commits.size,
      delivered,
      lag: { n: lags.length, p50: percentile(lags, 50), p99: percentile(lags, 99) },
      rss: await sampleRss(now()),
    };
    windows.push(window);
    if (o.live) console.log(`  ${windowRow(window).join('  ')}`);
  };

  if (o.live) console.log(`  ${WINDOW_HEADERS.join('  ')}`);
  let sampling = Promise.resolve();
  const sampler = setInterval(() => {
    sampling = sampling.then(sample);
  }, o.sampleMs);
  let writeSeconds = 0;
  let records: Awaited<ReturnType<typeof waitForEveryEvent>>;
  try {
    await sample();
    let next = 0;
    const writer = async () => {
      while (next < o.changes) {
        const i = next++;
        // Pacing to the rate: change i is due at i / rate seconds.
        const due = (i * 1000) / o.rate - now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        await write(i, now);
      }
    };
    await Promise.all(Array.from({ length: o.writers }, writer));
    writeSeconds = now() / 1000;
    records = await waitForEveryEvent(info, () => own.bus().settle(), o.patienceMs);
  } finally {
    clearInterval(sampler);
    await sampling;
    client.destroy();
  }
  await sample();

  const logged = await readEventsAll(info);
  const perVersion = new Map<string, number>();
  for (const { event } of logged) {
    const k = key(event.detail.id, event.detail.record?.version);
    perVersion.set(k, (perVersion.get(k) ?? 0) + 1);
  }
  const eventless = [...commits.keys()].filter((k) => !perVersion.has(k));
  const doubled = [...commits.keys()].filter((k) => (perVersion.get(k) ?? 0) > 1);
  const deliveries = await checkDeliveries(info, records);
  const stat = (xs: number[]) => ({
    p50: percentile(xs, 50),
    p99: percentile(xs, 99),
    max: Math.max(0, ...xs),
  });
  const problems = [
    ...(commits.size + refusedWrites < o.changes ? [`${o.changes - commits.size} writes failed`] : []),
    ...(refusedWrites ? [`${refusedWrites} soak writes refused (the writers raced themselves)`] : []),
    ...(eventless.length
      ? [`changes without an event (${eventless.length}): ${eventless.slice(0, 5).join('; ')}`]
      : []),
    ...(doubled.length
      ? [`changes with two events (${doubled.length}): ${doubled.slice(0, 5).join('; ')}`]
      : []),
    ...violations({ deliveries }),
    ...Object.entries(deliveries.deadLettered)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} dead-lettered ${n} batches`),
  ];
  return {
    options: o,
    writeSeconds,
    drainedAt: lastDelivery,
    windows,
    lag: { bus: stat(busLags), delivery: stat(deliveryLags) },
    eventless,
    doubled,
    refusedWrites,
    deliveries,
    problems,
  };
}

async function readEventsAll(info: StackInfo): Promise<LoggedEvent[]> {
  return tailer<LoggedEvent>(info.eventsLog)();
}

const WINDOW_HEADERS = [
  't',
  'committed',
  'delivered',
  'n',
  'lag p50',
  'lag p99',
  'RSS node',
  'RSS DynamoDB',
  'RSS others',
];

function windowRow(w: SoakWindow): string[] {
  const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
  return [
    `${(w.at / 1000).toFixed(0)} s`,
    String(w.committed),
    String(w.delivered),
    String(w.lag.n),
    ms(w.lag.p50),
    ms(w.lag.p99),
    mb(w.rss.node),
    mb(w.rss.dynamodb),
    mb(w.rss.others),
  ];
}

/** RSS growth of the stack from the first full window of writes to the last: the flatness figure. */
export function rssGrowth(r: SoakReport): { node: number; dynamodb: number } {
  const during = r.windows.filter((w) => w.at > r.options.sampleMs && w.committed > 0);
  const first = during[0]?.rss;
  const last = r.windows[r.windows.length - 1]?.rss;
  if (!first || !last) return { node: 0, dynamodb: 0 };
  return { node: last.node / first.node, dynamodb: last.dynamodb / first.dynamodb };
}

export function printSoak(r: SoakReport): void {
  const o = r.options;
  heading(`Soak of the stream path: ${o.changes} changes at ${o.rate}/s over ${o.records} records`);
  console.log(table(WINDOW_HEADERS, r.windows.map(windowRow)));
  const v = r.deliveries;
  console.log(
    `  writes took ${r.writeSeconds.toFixed(1)} s; last delivery at ${ms(r.drainedAt)}; refused writes ${r.refusedWrites}`,
  );
  console.log(
    `  lag commit → bus: p50 ${ms(r.lag.bus.p50)}, p99 ${ms(r.lag.bus.p99)}, max ${ms(r.lag.bus.max)}; ` +
      `commit → department queue: p50 ${ms(r.lag.delivery.p50)}, p99 ${ms(r.lag.delivery.p99)}, max ${ms(r.lag.delivery.max)}`,
  );
  const growth = rssGrowth(r);
  console.log(
    `  RSS last / first window of writes: node ×${growth.node.toFixed(2)}, DynamoDB Local ×${growth.dynamodb.toFixed(2)}`,
  );
  console.log(
    `  events: ${v.events} logged, ${v.duplicated.length} eventIds twice, ${r.eventless.length} changes without an event, ` +
      `${r.doubled.length} with two; ${v.ruleDeliveries} (event, rule) deliveries expected, ${v.ruleMismatches.length} not exactly once; ` +
      `dead letters ${JSON.stringify(v.deadLettered)}`,
  );
  console.log(r.problems.length ? `  PROBLEMS:\n    ${r.problems.join('\n    ')}` : '  every check holds');
}
