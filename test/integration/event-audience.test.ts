import { describe, expect, it } from 'vitest';
import { as, type LoggedEvent, readJsonLines, stack, waitForEvent } from '../support/stack.js';

/** What a department's queue receives says no more than the department may see (docs/events.md). */
type QueueMessage = { body: LoggedEvent['event'] };

async function waitForQueued(department: string, eventId: string, timeoutMs = 10_000): Promise<QueueMessage> {
  const file = stack().queues[department]!;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = (await readJsonLines<QueueMessage>(file)).find((m) => m.body.id === eventId);
    if (hit) return hit;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`event ${eventId} not in the ${department} queue within ${timeoutMs} ms`);
}

describe("a department queue's events", () => {
  it("give support a won deal's stage but neither its amount nor that the amount changed", async () => {
    // Prepare
    const sally = await as('sally');
    const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Audience Ltd' });
    const deal = await sally.post<{ id: string }>('/v1/opportunities', {
      accountId: account.body.id,
      name: 'Audience renewal',
      amount: '5000',
    });
    expect(deal.status).toBe(201);

    // Act
    const won = await sally.patch(`/v1/opportunities/${deal.body.id}`, { stage: 'won', amount: '9000.50' });

    // Assess
    expect(won.status).toBe(200);
    const logged = await waitForEvent(deal.body.id, 'opportunity.won');
    expect(logged.matchedRules).toContain('support-cases');
    const queued = await waitForQueued('support', logged.event.id);
    expect(queued.body.detail.record).not.toHaveProperty('amount');
    expect(queued.body.detail.record).toMatchObject({ stage: 'won', name: 'Audience renewal' });
    expect(queued.body.detail.changedFields).toEqual(['stage']);
  });
});
