import { readFile } from 'node:fs/promises';
import { heading, ms } from '../bench/stats.js';
import {
  type ConversionCheck,
  checkConversions,
  checkDeliveries,
  checkVersions,
  type DeliveryCheck,
  scanRecords,
  type VersionCheck,
  violations,
  waitForEveryEvent,
} from '../load/checks.js';
import type { OwnStack } from '../load/own-stack.js';
import {
  EXPECTED,
  type Outcomes,
  runWorkload,
  type Seed,
  type Step,
  seedWorkload,
  signInAll,
  statusTotals,
  type Tokens,
  unexpectedStatuses,
} from '../load/workload.js';
import { PATIENCE_MS, type Sighting, startProbe, until } from './probe.js';

/**
 * Faults under load, on a persistent stack of the run's own (test/load/own-stack.ts):
 * 1. DynamoDB Local SIGKILLed mid-load by its PID, started again on the same port and data folder;
 * 2. the bus endpoint down while changes keep coming, then up again on its port;
 * 3. cognito-local killed: new sign-ins fail, tokens already issued keep working.
 * Each waits for conditions (answers counted, sightings seen) with deadlines; the outages' lengths
 * are parameters of the fault, not waits for an outcome.
 */
export interface FaultOptions {
  connections: number;
  /** Answers the workload gets before a fault starts, and again after it ends. */
  answersAround: number;
  dynamoOutageMs: number;
  busOutageMs: number;
  hot: number;
  pool: number;
  eventPatienceMs: number;
}

export interface DynamoFault {
  pid: number;
  /** Workload answers per second of the run, by status class ('2xx'…), for the timeline. */
  perSecond: Record<string, number>[];
  /** Answers in the RECOVERY_WINDOW_MS after the API's first 200, and before the kill. */
  answersAfter: number;
  rateBefore: number;
  rateAfter: number;
  /** ms since the probe started: the kill, the engine answering again, the API's first 200 after. */
  killedAt: number;
  restartedAt: number;
  recoveredAt: number;
  /** What the probe saw between the kill and the restart. */
  outage: { sightings: number; statuses: Record<number, number>; maxMs: number; bad: string[] };
  statuses: Record<number, number>;
  unexpected: string[];
  timeouts: number;
  latencyMaxMs: number;
  missingRetryAfter: number;
  versions: VersionCheck;
  conversions: ConversionCheck;
}

export interface BusFault {
  downForMs: number;
  answersWhileDown: number;
  /** Publisher log lines saying a batch stopped and will be retried (undefined: no handler log here). */
  batchFailuresLogged: number | undefined;
  unexpected: string[];
}

export interface CognitoFault {
  pid: number;
  tokenStatus: number;
  tokenMs: number;
  /** GET /v1/me with each token issued before the kill. */
  existingTokens: Record<string, number>;
}

export interface FaultReport {
  dynamo: DynamoFault;
  bus: BusFault;
  cognito: CognitoFault;
  deliveries: DeliveryCheck;
  problems: string[];
}

/** How long the workload is watched after the recovery (it must be answering again within it). */
const RECOVERY_WINDOW_MS = 60_000;

const count = (statuses: number[]) => {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
};

/** Answers outside the steps' expected ones, a 503 (store down) allowed everywhere. */
function unexpectedUnderFault(outcomes: Outcomes): string[] {
  const out: string[] = [];
  for (const [step, counts] of Object.entries(outcomes.statuses) as [Step, Record<number, number>][]) {
    for (const [status, n] of Object.entries(counts)) {
      if (Number(status) !== 503 && !EXPECTED[step].includes(Number(status)))
        out.push(`${step} ${status} ×${n}`);
    }
  }
  return out;
}

function badOutageSightings(sightings: Sighting[]): string[] {
  return sightings.flatMap((s) => {
    if (s.status === 0) return [`no answer within ${PATIENCE_MS} ms at ${s.at} ms`];
    if (s.status !== 503) return [`${s.status} at ${s.at} ms`];
    if (!s.retryAfter || !s.problem) return [`503 without Retry-After or problem body at ${s.at} ms`];
    if (s.ms >= PATIENCE_MS) return [`503 after ${Math.round(s.ms)} ms`];
    return [];
  });
}

export async function dynamoDbKilled(
  own: OwnStack,
  tokens: Tokens,
  seed: Seed,
  o: FaultOptions,
): Promise<DynamoFault> {
  const { info } = own.stack;
  const probe = startProbe(`${info.apiUrl}/v1/accounts/${seed.accounts[0]}`, tokens.sally);
  const stop = new AbortController();
  let answers = 0;
  const perSecond: Record<string, number>[] = [];
  const loadBegan = Date.now();
  const load = runWorkload(info, tokens, seed, {
    connections: o.connections,
    seconds: 300,
    timeoutSeconds: PATIENCE_MS / 1000,
    label: 'seconds of load (DynamoDB Local killed and restarted)',
    signal: stop.signal,
    onAnswer: (status) => {
      answers++;
      const second = Math.floor((Date.now() - loadBegan) / 1000);
      while (perSecond.length <= second) perSecond.push({});
      const bucket = perSecond[second]!;
      const kind = `${Math.floor(status / 100)}xx`;
      bucket[kind] = (bucket[kind] ?? 0) + 1;
    },
  });
  try {
    await until(() => answers >= o.answersAround, 120_000, 'answers before the kill');
    const rateBefore = answers / ((Date.now() - loadBegan) / 1000);
    const pid = own.pidOf('dynamodb-local') ?? 0;
    await own.kill('dynamodb-local');
    const killedAt = probe.elapsed();
    await probe.waitFor((s) => s.status === 503, killedAt, 10_000, '503 after the kill');
    await until(() => probe.elapsed() >= killedAt + o.dynamoOutageMs, o.dynamoOutageMs + 5_000, 'the outage');
    const before = probe.elapsed();
    await own.restartDynamoDb();
    const restartedAt = probe.elapsed();
    const recovered = await probe.waitFor(
      (s) => s.status === 200,
      restartedAt,
      30_000,
      '200 after the restart',
    );
    // Watched for a while, not waited on: a workload that stays slow or stuck is a finding with figures.
    const answered = answers;
    const watchFrom = Date.now();
    await until(
      () => answers >= answered + o.answersAround || Date.now() - watchFrom >= RECOVERY_WINDOW_MS,
      RECOVERY_WINDOW_MS + 5_000,
      'answers after the recovery',
    );
    const answersAfter = answers - answered;
    const rateAfter = answersAfter / ((Date.now() - watchFrom) / 1000);
    stop.abort();
    const { outcomes, result } = await load;
    await probe.stop();
    const during = probe.sightings.filter((s) => s.at > killedAt && s.at + s.ms < before);
    const records = await scanRecords(info);
    return {
      pid,
      perSecond,
      answersAfter,
      rateBefore,
      rateAfter,
      killedAt,
      restartedAt,
      recoveredAt: recovered.at + recovered.ms,
      outage: {
        sightings: during.length,
        statuses: count(during.map((s) => s.status)),
        maxMs: Math.max(0, ...during.map((s) => s.ms)),
        bad: badOutageSightings(during),
      },
      statuses: statusTotals(outcomes),
      unexpected: unexpectedUnderFault(outcomes),
      timeouts: result.timeouts,
      latencyMaxMs: result.latency.max,
      missingRetryAfter: outcomes.missingRetryAfter,
      versions: checkVersions(outcomes, seed, records),
      conversions: checkConversions(outcomes, seed, records),
    };
  } finally {
    stop.abort();
    await load.catch(() => undefined);
    await probe.stop();
  }
}

async function busDown(own: OwnStack, tokens: Tokens, seed: Seed, o: FaultOptions): Promise<BusFault> {
  const { info } = own.stack;
  const stop = new AbortController();
  let answers = 0;
  const load = runWorkload(info, tokens, seed, {
    connections: o.connections,
    seconds: 300,
    label: 'seconds of load (bus down and up)',
    signal: stop.signal,
    onAnswer: () => answers++,
  });
  try {
    await until(() => answers >= o.answersAround, 60_000, 'answers before the bus goes down');
    const downAt = new Date();
    await own.stopBus();
    const atDown = answers;
    await until(() => Date.now() >= downAt.getTime() + o.busOutageMs, o.busOutageMs + 5_000, 'the outage');
    await own.startBus();
    const downForMs = Date.now() - downAt.getTime();
    const answersWhileDown = answers - atDown;
    await until(() => answers >= atDown + answersWhileDown + o.answersAround, 60_000, 'answers after');
    stop.abort();
    const { outcomes } = await load;
    return {
      downForMs,
      answersWhileDown,
      batchFailuresLogged: await loggedSince(own.handlerLog, 'stream batch stopped', downAt),
      // The API does not need the bus: nothing but the workload's own answers, no 503 either.
      unexpected: unexpectedStatuses(outcomes),
    };
  } finally {
    stop.abort();
    await load.catch(() => undefined);
  }
}

/** Lines of the handlers' JSON log with this message, logged at or after `since`. */
async function loggedSince(
  file: string | undefined,
  message: string,
  since: Date,
): Promise<number | undefined> {
  if (!file) return undefined;
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  return lines.filter((line) => {
    if (!line.includes(message)) return false;
    const at = (JSON.parse(line) as { timestamp?: string }).timestamp;
    return at !== undefined && new Date(at) >= since;
  }).length;
}

export async function cognitoDown(own: OwnStack, tokens: Tokens): Promise<CognitoFault> {
  const { info } = own.stack;
  const pid = own.pidOf('cognito-local') ?? 0;
  await own.kill('cognito-local');
  const user = info.users.find((u) => u.username === 'sally')!;
  const t = performance.now();
  const signIn = await fetch(info.auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
    signal: AbortSignal.timeout(PATIENCE_MS),
  }).then(
    (r) => r.status,
    () => 0,
  );
  const tokenMs = performance.now() - t;
  const existingTokens: Record<string, number> = {};
  for (const [role, token] of Object.entries(tokens)) {
    const res = await fetch(`${info.apiUrl}/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(PATIENCE_MS),
    }).catch(() => undefined);
    existingTokens[role] = res?.status ?? 0;
  }
  return { pid, tokenStatus: signIn, tokenMs, existingTokens };
}

export async function runFaults(own: OwnStack, o: FaultOptions): Promise<FaultReport> {
  const { info } = own.stack;
  const tokens = await signInAll(info);
  const seed = await seedWorkload(info, tokens, { hot: o.hot, pool: o.pool });
  const dynamo = await dynamoDbKilled(own, tokens, seed, o);
  const busSeed = await seedWorkload(info, tokens, { hot: o.hot, pool: o.pool });
  const bus = await busDown(own, tokens, busSeed, o);
  const cognito = await cognitoDown(own, tokens);
  const records = await waitForEveryEvent(info, () => own.bus().settle(), o.eventPatienceMs);
  const deliveries = await checkDeliveries(info, records);

  const problems = [
    ...dynamo.outage.bad.map((b) => `DynamoDB down: the probe saw ${b}`),
    ...(dynamo.outage.sightings === 0 ? ['DynamoDB down: the probe saw no answer during the outage'] : []),
    ...dynamo.unexpected.map((u) => `DynamoDB down: unexpected answers ${u}`),
    ...(dynamo.answersAfter < o.answersAround && dynamo.rateAfter < dynamo.rateBefore / 2
      ? [
          `DynamoDB back: ${dynamo.answersAfter} answers in ${RECOVERY_WINDOW_MS / 1000} s after the recovery ` +
            `(${dynamo.rateAfter.toFixed(1)}/s; ${dynamo.rateBefore.toFixed(1)}/s before the kill)`,
        ]
      : []),
    ...(dynamo.timeouts
      ? [`DynamoDB down: ${dynamo.timeouts} requests had no answer within ${PATIENCE_MS} ms`]
      : []),
    ...(dynamo.missingRetryAfter
      ? [`DynamoDB down: ${dynamo.missingRetryAfter} 503s without Retry-After`]
      : []),
    ...violations({ versions: dynamo.versions, conversions: dynamo.conversions }).map(
      (v) => `DynamoDB down: ${v}`,
    ),
    ...bus.unexpected.map((u) => `bus down: unexpected answers ${u}`),
    ...(bus.batchFailuresLogged === 0 ? ['bus down: the publisher reported no batch failure'] : []),
    ...(cognito.tokenStatus !== 401
      ? [`Cognito down: the token route answered ${cognito.tokenStatus}, not 401`]
      : []),
    ...Object.entries(cognito.existingTokens)
      .filter(([, s]) => s !== 200)
      .map(([role, s]) => `Cognito down: ${role}'s existing token got ${s}`),
    ...violations({ deliveries }),
    // Every consumer retries a record through an outage shorter than its function's timeout
    // (shared/events/stream-consumer.ts): a dead letter here is a lost feed entry, audit entry or count.
    ...Object.entries(deliveries.deadLettered)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} dead-lettered ${n} records`),
  ];
  return { dynamo, bus, cognito, deliveries, problems };
}

export function printFaults(r: FaultReport): void {
  const d = r.dynamo;
  heading('Fault 1: DynamoDB Local killed mid-load, started again on its port and data');
  console.log(
    `  killed pid ${d.pid} at ${ms(d.killedAt)}; answering again at ${ms(d.restartedAt)} ` +
      `(restart took ${ms(d.restartedAt - d.killedAt)} incl. the outage); API's first 200 at ${ms(d.recoveredAt)} ` +
      `(${ms(d.recoveredAt - d.restartedAt)} after the engine answered)`,
  );
  console.log(
    `  workload answers/s: ${d.rateBefore.toFixed(1)} before the kill, ${d.rateAfter.toFixed(1)} after the recovery ` +
      `(${d.answersAfter} answers watched)`,
  );
  console.log(
    `  answers per second by class: ${d.perSecond
      .map(
        (b, i) =>
          `${i}:${Object.entries(b)
            .map(([k, n]) => `${k}=${n}`)
            .join('/')}`,
      )
      .join(' ')}`,
  );
  console.log(
    `  probe during the outage: ${d.outage.sightings} requests, ${JSON.stringify(d.outage.statuses)}, slowest ${ms(d.outage.maxMs)}`,
  );
  console.log(
    `  workload: ${JSON.stringify(d.statuses)}; timeouts ${d.timeouts}; slowest ${ms(d.latencyMaxMs)}; 503 without Retry-After ${d.missingRetryAfter}`,
  );
  console.log(
    `  versions: ${d.versions.checked} checked, ${d.versions.lost.length} lost, ${d.versions.phantom.length} phantom, ` +
      `${d.versions.committedAmbiguous} with an unanswered write that committed`,
  );
  console.log(
    `  conversions: ${d.conversions.converted} converted, ${d.conversions.halfDone.length} half-done, ${d.conversions.inconsistent.length} inconsistent`,
  );
  heading('Fault 2: the bus endpoint down, then up on its port');
  console.log(
    `  down ${ms(r.bus.downForMs)}; ${r.bus.answersWhileDown} API answers meanwhile; ` +
      `publisher batch failures logged: ${r.bus.batchFailuresLogged ?? 'n/a (no handler log)'}`,
  );
  heading('Fault 3: cognito-local killed');
  console.log(
    `  killed pid ${r.cognito.pid}; POST /local/token → ${r.cognito.tokenStatus} in ${ms(r.cognito.tokenMs)}; ` +
      `existing tokens GET /v1/me → ${JSON.stringify(r.cognito.existingTokens)}`,
  );
  heading('Stream after all three');
  const v = r.deliveries;
  console.log(
    `  ${v.events} events logged, ${v.duplicated.length} eventIds twice, ${v.missing.length} changes without an event, ` +
      `${v.extra.length} extra; ${v.ruleDeliveries} rule deliveries, ${v.ruleMismatches.length} wrong; dead letters ${JSON.stringify(v.deadLettered)}`,
  );
  console.log(r.problems.length ? `  PROBLEMS:\n    ${r.problems.join('\n    ')}` : '  every check holds');
}
