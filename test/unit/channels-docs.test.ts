import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../infra/stages.js';
import {
  DEFAULT_EMAIL_FROM,
  DELIVERY,
  DELIVERY_CONSUMER,
  DELIVERY_STATUSES,
  MESSAGE_LIMITS,
  PACING,
} from '../../shared/config/channels.js';
import { CHANNEL_ROUTES } from '../../shared/http/channel-routes.js';

/**
 * docs/channels.md says what shared/config/channels.ts and the stages say: a changed figure there fails
 * here until the page says it too.
 */
const doc = readFileSync(new URL('../../docs/channels.md', import.meta.url), 'utf8');
const n = (value: number) => value.toLocaleString('en-US');

describe('docs/channels.md', () => {
  it('gives the attempts, the backoff, the timeouts and the claim as configured', () => {
    const waits = DELIVERY.backoffSeconds;
    expect(doc).toContain(`**${waits.slice(0, -1).join(', ')} and ${waits.at(-1)} s**`);
    expect(doc).toContain(`at most **${DELIVERY.maxAttempts} attempts**`);
    expect(doc).toContain(`no answer within ${DELIVERY.requestTimeoutMs / 1000} s`);
    expect(doc).toContain(`its claim expires after ${DELIVERY.claimSeconds} s`);
  });

  it('gives the size limits and the pacing as configured', () => {
    expect(doc).toMatch(new RegExp(`\\| Slack \`text\` \\| ${n(MESSAGE_LIMITS.slackChars)} \\| characters`));
    expect(doc).toMatch(new RegExp(`\\| ${n(MESSAGE_LIMITS.wecomBytes)} \\| UTF-8 bytes`));
    expect(PACING.slack).toEqual({ count: 1, windowMs: 1_000 });
    expect(doc).toContain('| Slack | 1 message a second per webhook |');
    expect(PACING.wecom.windowMs).toBe(60_000);
    expect(doc).toContain(`| WeChat Work | ${PACING.wecom.count} messages a minute per webhook`);
    expect(PACING.email).toEqual({ count: 1, windowMs: 1_000 });
    expect(doc).toContain('| email | 1 email a second per address list');
  });

  it('gives the consumer’s settings and the queues’ redrive as configured', () => {
    expect(doc).toContain(`${DELIVERY_CONSUMER.timeoutSeconds} s timeout`);
    expect(doc).toContain(
      `batches of up to ${DELIVERY_CONSUMER.batchSize}, gathered for up to ${DELIVERY_CONSUMER.maxBatchingWindowSeconds} s`,
    );
    expect(doc).toContain(`at most ${DELIVERY_CONSUMER.maxConcurrency} concurrent invocations per queue`);
    expect(doc).toContain(`after ${DELIVERY_CONSUMER.maxReceiveCount} receives`);
    expect(doc).toContain(`same redrive (${DELIVERY_CONSUMER.maxReceiveCount} receives)`);
  });

  it('names every route, status and stage sender', () => {
    for (const route of CHANNEL_ROUTES) expect(doc).toContain(`\`${route.method} ${route.path}`);
    for (const status of DELIVERY_STATUSES) expect(doc).toContain(`\`${status}\``);
    for (const stage of Object.values(STAGES)) {
      expect(doc).toContain(
        `| ${stage.name} | \`${stage.emailFrom}\` | \`${stage.emailFrom.split('@')[1]}\` |`,
      );
    }
    expect(doc).toContain(`The sender is \`${DEFAULT_EMAIL_FROM}\``);
  });

  it('points to no file outside the repository', () => {
    expect(doc).not.toMatch(/\bAPI\.md|DESIGN\.md|\.\.\/shared\//);
  });
});
