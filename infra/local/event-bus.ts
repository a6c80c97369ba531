import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { EventBridgeEvent } from 'aws-lambda';
import { matchesPattern } from '../../shared/events/pattern.js';
import type { RuleSpec } from '../../shared/events/rules.js';

/**
 * EventBridge, locally: a PutEvents endpoint speaking the service's JSON protocol (so publishers use
 * the real @aws-sdk/client-eventbridge), the department rules from the same config CDK deploys, and
 * targets invoked with the EventBridgeEvent a rule target gets in AWS. Every accepted event and the
 * rules it matched are appended to the events log.
 */
export type BusEvent = EventBridgeEvent<string, unknown>;
export type Target = (event: BusEvent, rule: RuleSpec) => Promise<void>;

export interface LocalBus {
  endpoint: string;
  /** Adds a target to a rule (as a department adds its own targets in AWS). */
  addTarget(ruleName: string, target: Target): void;
  /** Waits until every target invocation started so far has finished. */
  settle(): Promise<void>;
  /** PutEvents calls answered and entries accepted since the bus started (the benchmarks count them). */
  counts(): { putEventsCalls: number; entriesAccepted: number };
  stop(): Promise<void>;
}

export interface BusOptions {
  port: number;
  busName: string;
  rules: readonly RuleSpec[];
  eventsLog: string;
  region?: string;
  log?: (msg: string) => void;
}

interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

const MAX_ENTRY_BYTES = 256 * 1024;

function toEvent(entry: Entry, region: string): BusEvent | { error: string; message: string } {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return { error: 'MalformedDetail', message: 'Source, DetailType and Detail are required' };
  }
  if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) {
    return { error: 'EntrySizeExceeded', message: 'entry larger than 256 KB' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { error: 'MalformedDetail', message: 'Detail is not valid JSON' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { error: 'MalformedDetail', message: 'Detail must be a JSON object' };
  }
  const time =
    entry.Time === undefined
      ? new Date()
      : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: entry.Resources ?? [],
    detail,
  };
}

export async function startEventBus(opts: BusOptions): Promise<LocalBus> {
  const region = opts.region ?? 'us-east-1';
  const targets = new Map<string, Target[]>();
  const inflight = new Set<Promise<void>>();
  const counted = { putEventsCalls: 0, entriesAccepted: 0 };

  const deliver = (event: BusEvent, rule: RuleSpec) => {
    for (const target of targets.get(rule.name) ?? []) {
      const run = target(event, rule).catch((error: unknown) =>
        opts.log?.(`target of ${rule.name} failed for ${event.id}: ${(error as Error).message}`),
      );
      inflight.add(run);
      void run.finally(() => inflight.delete(run));
    }
  };

  async function putEvents(entries: Entry[]) {
    const results: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] = [];
    const lines: string[] = [];
    const matched: [BusEvent, RuleSpec[]][] = [];
    for (const entry of entries) {
      const event = toEvent(entry, region);
      if ('error' in event) {
        results.push({ ErrorCode: event.error, ErrorMessage: event.message });
        continue;
      }
      const rules = opts.rules.filter((r) => matchesPattern(r.pattern, event));
      lines.push(
        JSON.stringify({
          receivedAt: new Date().toISOString(),
          bus: opts.busName,
          event,
          matchedRules: rules.map((r) => r.name),
        }),
      );
      matched.push([event, rules]);
      results.push({ EventId: event.id });
    }
    if (lines.length) await appendFile(opts.eventsLog, `${lines.join('\n')}\n`);
    counted.putEventsCalls++;
    counted.entriesAccepted += matched.length;
    for (const [event, rules] of matched) for (const rule of rules) deliver(event, rule);
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (target !== 'AWSEvents.PutEvents') {
        return reply(400, {
          __type: 'UnknownOperationException',
          message: `${target} is not served locally`,
        });
      }
      let body: { Entries?: Entry[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      const entries = body.Entries ?? [];
      if (entries.length < 1 || entries.length > 10) {
        return reply(400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 items' });
      }
      putEvents(entries).then(
        (out) => reply(200, out),
        (error: unknown) => reply(500, { __type: 'InternalException', message: (error as Error).message }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });

  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    addTarget: (ruleName, target) => targets.set(ruleName, [...(targets.get(ruleName) ?? []), target]),
    counts: () => ({ ...counted }),
    settle: async () => {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
