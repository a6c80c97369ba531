import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/engines/processes.js';
import { type BusEvent, type LocalBus, startEventBus } from '../../infra/local/event-bus.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';

/** The local bus answers the real SDK as EventBridge does, and routes by the department rules. */
describe('local event bus', () => {
  let dir: string;
  let bus: LocalBus;
  let client: EventBridgeClient;
  const delivered: { rule: string; event: BusEvent }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bus-'));
    bus = await startEventBus({
      port: await freePort(),
      busName: 'test',
      rules: DEPARTMENT_RULES,
      eventsLog: join(dir, 'events.jsonl'),
    });
    for (const rule of DEPARTMENT_RULES) {
      bus.addTarget(rule.name, async (event) => {
        delivered.push({ rule: rule.name, event });
      });
    }
    client = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: bus.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await bus.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts good entries, refuses malformed ones per entry, logs and delivers by rule', async () => {
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'concord.crm',
            DetailType: 'opportunity.won',
            Detail: JSON.stringify({ id: 'o1', record: {} }),
          },
          { Source: 'concord.crm', DetailType: 'lead.qualified', Detail: 'not json' },
          {
            Source: 'concord.crm',
            DetailType: 'handoff.requested',
            Detail: JSON.stringify({ id: 'h1', record: { toDept: 'support' } }),
          },
        ],
      }),
    );
    await bus.settle();
    // Assess
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(out.Entries?.[0]?.EventId).toBeTruthy();
    const log = (await readFile(join(dir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((l) => l.event['detail-type'])).toEqual(['opportunity.won', 'handoff.requested']);
    expect(log[0].matchedRules.sort()).toEqual(['sales-customers', 'support-cases']);
    expect(log[1].matchedRules).toEqual(['support-handoffs']);
    const won = delivered.find((d) => d.rule === 'support-cases')!.event;
    expect(won).toMatchObject({
      version: '0',
      source: 'concord.crm',
      'detail-type': 'opportunity.won',
      detail: { id: 'o1' },
    });
    expect(won.id).toBe(out.Entries?.[0]?.EventId);
  });

  it('refuses a call with more than ten entries, as PutEvents does', async () => {
    const entries = Array.from({ length: 11 }, () => ({
      Source: 'concord.crm',
      DetailType: 'x.y',
      Detail: '{}',
    }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toThrow(/1 to 10/);
  });
});
