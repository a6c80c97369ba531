import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoDown, dynamoDbKilled } from '../faults/faults.js';
import { PATIENCE_MS } from '../faults/probe.js';
import {
  checkConversions,
  checkDeliveries,
  checkVersions,
  scanRecords,
  waitForEveryEvent,
} from '../load/checks.js';
import { type OwnStack, startOwnStack } from '../load/own-stack.js';
import { runWorkload, seedWorkload, signInAll, type Tokens, unexpectedStatuses } from '../load/workload.js';
import { runSoak } from '../soak/soak.js';

/**
 * Short versions of `npm run test:load`, `test:soak` and `test:faults`, with the same checks, on a
 * persistent stack of this file's own (DynamoDB Local is killed here: never the suite's shared stack).
 * Every wait is for a condition, with a deadline; the outage's length is a parameter of the fault.
 */
const EVENT_PATIENCE_MS = 90_000;

describe('reliability smoke (own stack)', () => {
  let own: OwnStack;
  let tokens: Tokens;

  beforeAll(async () => {
    own = await startOwnStack({ persistent: true });
    tokens = await signInAll(own.stack.info);
  }, 240_000);
  afterAll(() => own?.stop(), 120_000);

  it('load: a few seconds of the mixed workload answer no 5xx, lose no update, half-do no conversion', async () => {
    // Prepare
    const { info } = own.stack;
    const seed = await seedWorkload(info, tokens, { hot: 5, pool: 10 });

    // Act
    const { outcomes, result } = await runWorkload(info, tokens, seed, { connections: 5, amount: 260 });

    // Assess
    const records = await scanRecords(info);
    const versions = checkVersions(outcomes, seed, records);
    const conversions = checkConversions(outcomes, seed, records);
    expect(unexpectedStatuses(outcomes)).toEqual([]);
    expect(result.timeouts).toBe(0);
    expect(versions.lost).toEqual([]);
    expect(versions.phantom).toEqual([]);
    expect(conversions.halfDone).toEqual([]);
    expect(conversions.inconsistent).toEqual([]);
    expect(conversions.unexplained409).toEqual([]);
    expect(outcomes.writes.size).toBeGreaterThan(0);
  }, 180_000);

  it('soak: a couple of hundred changes, each one event, delivered once per matching rule', async () => {
    // Act
    const report = await runSoak(own, {
      changes: 200,
      records: 40,
      rate: 40,
      writers: 4,
      sampleMs: 2_000,
      patienceMs: EVENT_PATIENCE_MS,
    });

    // Assess
    expect(report.problems).toEqual([]);
    expect(report.eventless).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(report.deliveries.ruleDeliveries).toBeGreaterThanOrEqual(200);
  }, 240_000);

  it('DynamoDB Local killed mid-load: 503 with Retry-After within 5 s, recovery, no lost update or half change', async () => {
    // Prepare
    const { info } = own.stack;
    const seed = await seedWorkload(info, tokens, { hot: 5, pool: 20 });

    // Act
    const fault = await dynamoDbKilled(own, tokens, seed, {
      connections: 4,
      answersAround: 80,
      dynamoOutageMs: 2_000,
      busOutageMs: 0,
      hot: 5,
      pool: 20,
      eventPatienceMs: EVENT_PATIENCE_MS,
    });

    // Assess
    expect(fault.outage.sightings).toBeGreaterThan(0);
    expect(fault.outage.bad).toEqual([]);
    expect(fault.outage.maxMs).toBeLessThan(PATIENCE_MS);
    expect(fault.recoveredAt).toBeGreaterThan(fault.restartedAt);
    expect(fault.answersAfter).toBeGreaterThan(0);
    expect(fault.unexpected).toEqual([]);
    expect(fault.missingRetryAfter).toBe(0);
    expect(fault.versions.lost).toEqual([]);
    expect(fault.versions.phantom).toEqual([]);
    expect(fault.conversions.halfDone).toEqual([]);
    expect(fault.conversions.inconsistent).toEqual([]);
  }, 240_000);

  it('after the kill and restart, the stream delivered every change once, once per matching rule', async () => {
    // Act
    const { info } = own.stack;
    const records = await waitForEveryEvent(info, () => own.bus().settle(), EVENT_PATIENCE_MS);
    const deliveries = await checkDeliveries(info, records);

    // Assess
    expect(deliveries.duplicated).toEqual([]);
    expect(deliveries.missing).toEqual([]);
    expect(deliveries.extra).toEqual([]);
    expect(deliveries.ruleMismatches).toEqual([]);
    // Every consumer, those that write to the table included: each retried its record through the outage.
    expect(Object.entries(deliveries.deadLettered).filter(([, n]) => n > 0)).toEqual([]);
  }, 180_000);

  it('cognito-local killed: a new sign-in answers 401, tokens already issued keep working', async () => {
    // Act
    const fault = await cognitoDown(own, tokens);

    // Assess
    expect(fault.tokenStatus).toBe(401);
    expect(fault.tokenMs).toBeLessThan(PATIENCE_MS);
    expect(Object.values(fault.existingTokens)).toEqual(Object.values(tokens).map(() => 200));
  }, 60_000);
});
