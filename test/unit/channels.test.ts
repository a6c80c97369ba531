import { describe, expect, it } from 'vitest';
import { type ChannelKind, DELIVERY, MESSAGE_LIMITS, PACING } from '../../shared/config/channels.js';
import type { Department } from '../../shared/config/departments.js';
import type { StoredDelivery } from '../../shared/db/keys.js';
import {
  classifyNetworkError,
  classifySesError,
  classifySlack,
  classifyWecom,
  type Outcome,
} from '../../shared/domain/channels/classify.js';
import { type DeliveryPorts, deliverEvent } from '../../shared/domain/channels/delivery.js';
import { type Clock, Pacer } from '../../shared/domain/channels/pacing.js';
import {
  cutToBytes,
  cutToChars,
  type MessageInput,
  renderEmail,
  renderSlack,
  renderWecom,
} from '../../shared/domain/channels/render.js';
import {
  channelSettingsBody,
  maskWebhookUrl,
  matchesChannelPatterns,
  type StoredChannels,
  settingsView,
  webhookUrlProblem,
} from '../../shared/domain/channels/settings.js';
import type { ChangeDetail } from '../../shared/events/change-events.js';

const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXXabcd';
const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

/** A clock that only moves when someone sleeps on it: minutes of pacing take no real time. */
function fakeClock(start = 0): Clock & { slept: number } {
  let now = start;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

const detail = (record: Record<string, unknown>, over: Partial<ChangeDetail> = {}): ChangeDetail => ({
  specversion: 1,
  eventId: 'ev-1',
  entity: 'opportunity',
  id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
  action: 'updated',
  changedFields: ['stage'],
  actor: 'sally-id',
  ownerDept: 'sales',
  occurredAt: '2026-01-15T12:00:00.000Z',
  record,
  ...over,
});

const input = (department: Department, record: Record<string, unknown>): MessageInput => ({
  detailType: 'opportunity.won',
  detail: detail(record),
  department,
  link: 'https://api.example/v1/opportunities/01HZZZZZZZZZZZZZZZZZZZZZZZ',
});

describe('webhook URLs', () => {
  it('takes the services’ own URLs in AWS and refuses everything else', () => {
    // Act / Assess
    expect(webhookUrlProblem('slack', SLACK, false)).toBeUndefined();
    expect(webhookUrlProblem('wecom', WECOM, false)).toBeUndefined();
    for (const [kind, url] of [
      ['slack', 'http://hooks.slack.com/services/T/B/X'],
      ['slack', 'https://hooks.slack.com.evil.example/services/T/B/X'],
      ['slack', 'https://user:pw@hooks.slack.com/services/T/B/X'],
      ['slack', 'https://hooks.slack.com:8443/services/T/B/X'],
      ['slack', 'http://169.254.169.254/latest/meta-data/'],
      ['slack', 'https://169.254.169.254/services/T/B/X'],
      ['slack', 'http://10.0.0.7:8080/hook'],
      ['slack', 'http://127.0.0.1:8080/hook'],
      ['slack', 'not a url'],
      ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'],
      ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/other?key=abc'],
      ['wecom', SLACK],
    ] as const)
      expect(webhookUrlProblem(kind, url, false), url).toBeDefined();
  });

  it('takes loopback receivers with a port only where loopback is allowed, and still no other host', () => {
    // Act / Assess
    expect(webhookUrlProblem('slack', 'http://127.0.0.1:4000/services/x', true)).toBeUndefined();
    expect(
      webhookUrlProblem('wecom', 'http://localhost:4000/cgi-bin/webhook/send?key=a', true),
    ).toBeUndefined();
    expect(webhookUrlProblem('slack', 'http://127.0.0.1:4000/services/x', false)).toBeDefined();
    expect(webhookUrlProblem('slack', 'http://127.0.0.1/services/x', true)).toBeDefined();
    expect(webhookUrlProblem('slack', 'http://169.254.169.254:80/latest/meta-data/', true)).toBeDefined();
    expect(webhookUrlProblem('slack', 'http://192.168.1.2:4000/x', true)).toBeDefined();
    expect(webhookUrlProblem('slack', 'http://[::1]:4000/x', true)).toBeDefined();
  });

  it('masks a URL to its scheme, host and last 4 characters', () => {
    // Act
    const slack = maskWebhookUrl(SLACK);
    const wecom = maskWebhookUrl(WECOM);

    // Assess
    expect(slack).toBe('https://hooks.slack.com/…abcd');
    expect(wecom).toBe('https://qyapi.weixin.qq.com/…5aaa');
    expect(slack).not.toContain('secret');
  });

  it('never shows a URL in the settings view, and shows a failing channel as failing', () => {
    // Prepare
    const stored: StoredChannels = {
      slack: { webhookUrl: SLACK },
      wecom: { webhookUrl: WECOM },
      events: ['case.*'],
      updatedAt: '2026-01-15T12:00:00.000Z',
      updatedBy: 'ada',
      failing: { wecom: { since: '2026-01-15T12:01:00.000Z', error: 'errcode 93000 invalid webhook url' } },
    };

    // Act
    const view = settingsView('support', stored);

    // Assess
    expect(JSON.stringify(view)).not.toContain('XXXXsecret');
    expect(JSON.stringify(view)).not.toContain('693a91f6');
    expect(view.slack).toMatchObject({ status: 'ok' });
    expect(view.wecom).toMatchObject({ status: 'failing', lastError: 'errcode 93000 invalid webhook url' });
  });

  it('takes detail-types and entity wildcards as patterns, nothing else', () => {
    // Act
    const ok = channelSettingsBody.safeParse({ events: ['handoff.*', 'case.escalated'] });
    const bad = ['*', 'case', 'case.*.x', 'Case.escalated', ''].map(
      (p) => channelSettingsBody.safeParse({ events: [p] }).success,
    );

    // Assess
    expect(ok.success).toBe(true);
    expect(bad).toEqual([false, false, false, false, false]);
    expect(matchesChannelPatterns(['handoff.*'], 'handoff.requested')).toBe(true);
    expect(matchesChannelPatterns(['case.escalated'], 'case.updated')).toBe(false);
    expect(matchesChannelPatterns(['case.*'], 'cases.updated')).toBe(false);
  });
});

describe('messages', () => {
  it('leave out what the department may not see (support never sees an amount)', () => {
    // Prepare
    const record = { id: 'o1', name: 'Acme deal', amount: '48000.00', stage: 'won' };

    // Act
    const forSupport = [
      renderSlack(input('support', record)),
      renderWecom(input('support', record)),
      renderEmail(input('support', record)),
    ];
    const forSales = renderSlack(input('sales', record));

    // Assess
    for (const message of forSupport) {
      expect(JSON.stringify(message)).not.toContain('amount');
      expect(JSON.stringify(message)).not.toContain('48000');
      expect(JSON.stringify(message)).toContain('Acme deal');
    }
    expect(forSales.text).toContain('48000.00');
  });

  it('are each channel’s own format, with a link to the record', () => {
    // Act
    const slack = renderSlack(input('sales', { name: 'Acme <deal> & co' }));
    const wecom = renderWecom(input('sales', { name: 'Acme' }));
    const email = renderEmail(input('sales', { name: '<b>Acme</b>' }));

    // Assess
    expect(slack.text).toContain('Acme &lt;deal&gt; &amp; co');
    expect(slack.blocks.map((b) => (b as { type: string }).type)).toEqual([
      'header',
      'section',
      'context',
      'actions',
    ]);
    expect(slack.text).toContain(
      '<https://api.example/v1/opportunities/01HZZZZZZZZZZZZZZZZZZZZZZZ|Open the record>',
    );
    expect(wecom.msgtype).toBe('markdown');
    expect(wecom.markdown.content).toContain('(https://api.example/v1/opportunities/');
    expect(email.text).toContain('name: <b>Acme</b>');
    expect(email.html).toContain('&lt;b&gt;Acme&lt;/b&gt;');
    expect(email.html).toContain('href="https://api.example/v1/opportunities/');
  });

  it('over the size limit are cut and still end with the link', () => {
    // Prepare: a description far over both limits, in 3-byte characters for WeChat Work
    const record = { notes: '汉'.repeat(50_000) };

    // Act
    const wecom = renderWecom(input('sales', record)).markdown.content;
    const slack = renderSlack(input('sales', record)).text;

    // Assess
    expect(Buffer.byteLength(wecom)).toBeLessThanOrEqual(MESSAGE_LIMITS.wecomBytes);
    expect(Buffer.byteLength(wecom)).toBeGreaterThan(MESSAGE_LIMITS.wecomBytes - 10);
    expect(wecom.endsWith('(https://api.example/v1/opportunities/01HZZZZZZZZZZZZZZZZZZZZZZZ)')).toBe(true);
    expect([...slack].length).toBeLessThanOrEqual(MESSAGE_LIMITS.slackChars);
    expect(slack.endsWith('|Open the record>')).toBe(true);
  });

  it('cut on character boundaries', () => {
    // Act / Assess
    expect(cutToBytes('aé汉', 4, '')).toBe('aé');
    expect(cutToBytes('short', 100, '…')).toBe('short');
    expect(cutToChars('😀😀😀', 2, '…')).toBe('😀…');
  });
});

describe('answers', () => {
  it('are classified as sent, retry or permanent', () => {
    // Act / Assess
    expect(classifySlack(200, 'ok').kind).toBe('sent');
    expect(classifySlack(429, 'rate_limited', '7')).toEqual({
      kind: 'retry',
      error: 'HTTP 429 rate_limited',
      retryAfterSeconds: 7,
    });
    expect(classifySlack(503, '').kind).toBe('retry');
    for (const [status, code] of [
      [400, 'invalid_payload'],
      [403, 'action_prohibited'],
      [404, 'no_service'],
      [410, 'channel_is_archived'],
    ] as const)
      expect(classifySlack(status, code)).toEqual({ kind: 'permanent', error: `HTTP ${status} ${code}` });
    expect(classifyWecom(200, '{"errcode":0,"errmsg":"ok"}').kind).toBe('sent');
    expect(classifyWecom(200, '{"errcode":45009,"errmsg":"api freq out of limit"}').kind).toBe('retry');
    expect(classifyWecom(200, '{"errcode":93000,"errmsg":"invalid webhook url"}').kind).toBe('permanent');
    expect(classifyWecom(200, '{"errmsg":"no code"}').kind).toBe('permanent');
    expect(classifyWecom(502, '').kind).toBe('retry');
    expect(classifySesError({ name: 'TooManyRequestsException', status: 429 }).kind).toBe('retry');
    expect(classifySesError({ name: 'MessageRejected', status: 400 }).kind).toBe('permanent');
    expect(classifyNetworkError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toEqual({
      kind: 'retry',
      error: 'timeout',
    });
  });
});

describe('pacing', () => {
  it('spreads 60 messages to one WeChat Work webhook over 3 minutes, never 21 in a minute', async () => {
    // Prepare
    const clock = fakeClock();
    const pacer = new Pacer(clock);
    const sentAt: number[] = [];

    // Act
    for (let i = 0; i < 60; i++) {
      await pacer.take('wecom:one', PACING.wecom);
      sentAt.push(clock.now());
    }
    const nextFreeSlot = pacer.delayFor('wecom:one', PACING.wecom) + clock.now();

    // Assess
    for (const t of sentAt)
      expect(sentAt.filter((s) => s >= t && s < t + 60_000).length).toBeLessThanOrEqual(20);
    expect(sentAt.at(-1)).toBeGreaterThanOrEqual(120_000);
    expect(nextFreeSlot).toBeGreaterThanOrEqual(180_000);
  });

  it('keeps receivers apart, and hands back a wait longer than the caller has', async () => {
    // Prepare
    const clock = fakeClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 20; i++) await pacer.take('wecom:a', PACING.wecom);

    // Act
    const other = await pacer.take('wecom:b', PACING.wecom);
    const handedBack = await pacer.take('wecom:a', PACING.wecom, 5_000);

    // Assess
    expect(other).toBe(0);
    expect(handedBack).toBe(60_000);
    expect(clock.slept).toBe(0);
  });
});

/** Delivery ports over memory: the table's conditional writes, scripted receivers. */
function memoryPorts(answers: Partial<Record<ChannelKind, Outcome[]>>, settings: StoredChannels) {
  const records = new Map<string, StoredDelivery>();
  const sends: { channel: ChannelKind; message: unknown }[] = [];
  const failing: string[] = [];
  const clock = fakeClock(1_000_000);
  const answer = (channel: ChannelKind): Outcome => {
    sends.push({ channel, message: null });
    return answers[channel]?.shift() ?? { kind: 'sent' };
  };
  const ports: DeliveryPorts = {
    settings: async () => settings,
    read: async (eventId, department, channel) => records.get(`${eventId}/${department}/${channel}`),
    write: async (next, readRevision) => {
      const key = `${next.eventId}/${next.department}/${next.channel}`;
      if ((records.get(key)?.revision ?? 0) !== readRevision) return false;
      records.set(key, { ...next, revision: readRevision + 1 });
      return true;
    },
    markFailing: async (_d, channel) => {
      failing.push(channel);
    },
    webhook: async (kind) => answer(kind),
    email: async () => answer('email'),
    pacer: new Pacer(clock),
    clock,
  };
  return { ports, records, sends, failing, clock };
}

const SETTINGS: StoredChannels = {
  slack: { webhookUrl: SLACK },
  wecom: { webhookUrl: WECOM },
  email: { to: ['support@example.com'] },
  events: ['opportunity.*'],
  updatedAt: '2026-01-15T12:00:00.000Z',
  updatedBy: 'ada',
  failing: {},
};
const EVENT = { detailType: 'opportunity.won', detail: detail({ name: 'x' }) };
const OPTIONS = { linkBase: 'https://api.example', maxWaitMs: () => 10_000 };

describe('delivery', () => {
  it('sends once per channel, and a redelivered event sends nothing again', async () => {
    // Prepare
    const { ports, sends } = memoryPorts({}, SETTINGS);

    // Act
    const first = await deliverEvent(EVENT, 'support', ports, OPTIONS);
    const again = await deliverEvent(EVENT, 'support', ports, OPTIONS);

    // Assess
    expect(first.map((r) => r.result)).toEqual(['sent', 'sent', 'sent']);
    expect(again.map((r) => r.result)).toEqual(['done', 'done', 'done']);
    expect(sends).toHaveLength(3);
  });

  it('sends nothing for events the patterns do not name', async () => {
    // Prepare
    const { ports, sends } = memoryPorts({}, { ...SETTINGS, events: ['case.*'] });

    // Act
    const results = await deliverEvent(EVENT, 'support', ports, OPTIONS);

    // Assess
    expect(results).toEqual([]);
    expect(sends).toHaveLength(0);
  });

  it('retries after Retry-After, then delivers; five failed attempts dead-letter', async () => {
    // Prepare
    const retry: Outcome = { kind: 'retry', error: 'HTTP 429 rate_limited', retryAfterSeconds: 1 };
    const { ports, records, clock } = memoryPorts(
      {
        slack: [retry],
        wecom: Array.from({ length: 5 }, () => ({ kind: 'retry', error: 'errcode 45009' }) as Outcome),
      },
      { ...SETTINGS, email: undefined },
    );

    // Act: a receipt, one too early (nothing tried), then one per backoff until none is left
    const results = [await deliverEvent(EVENT, 'support', ports, OPTIONS)];
    results.push(await deliverEvent(EVENT, 'support', ports, OPTIONS));
    for (let i = 0; i < 6; i++) {
      await clock.sleep(60_000);
      results.push(await deliverEvent(EVENT, 'support', ports, OPTIONS));
    }

    // Assess
    expect(results[0]).toEqual([
      { channel: 'slack', result: 'later', afterSeconds: 1 },
      { channel: 'wecom', result: 'later', afterSeconds: DELIVERY.backoffSeconds[0] },
    ]);
    expect(results[1]!.every((r) => r.result === 'later')).toBe(true);
    expect(results[2]!.find((r) => r.channel === 'slack')?.result).toBe('sent');
    expect(records.get('ev-1/support/slack')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(records.get('ev-1/support/wecom')).toMatchObject({
      status: 'dead',
      attempts: 5,
      lastError: 'errcode 45009',
    });
  });

  it('dead-letters a permanent refusal at once and marks the channel failing', async () => {
    // Prepare
    const { ports, records, failing } = memoryPorts(
      { slack: [{ kind: 'permanent', error: 'HTTP 400 invalid_payload' }] },
      SETTINGS,
    );

    // Act
    const results = await deliverEvent(EVENT, 'support', ports, OPTIONS);

    // Assess
    expect(results[0]).toEqual({ channel: 'slack', result: 'dead', error: 'HTTP 400 invalid_payload' });
    expect(records.get('ev-1/support/slack')).toMatchObject({ status: 'dead', attempts: 1 });
    expect(failing).toEqual(['slack']);
  });

  it('hands the message back untried when the invocation has no time left for a send', async () => {
    // Prepare
    const { ports, records, sends } = memoryPorts({}, SETTINGS);
    let left = 10_000;
    const webhook = ports.webhook;
    // The first send takes the rest of the invocation's time.
    ports.webhook = async (kind, url, message) => {
      left = -1;
      return webhook(kind, url, message);
    };

    // Act
    const results = await deliverEvent(EVENT, 'support', ports, { ...OPTIONS, maxWaitMs: () => left });

    // Assess
    expect(results).toEqual([
      { channel: 'slack', result: 'sent' },
      { channel: 'wecom', result: 'later', afterSeconds: 1 },
      { channel: 'email', result: 'later', afterSeconds: 1 },
    ]);
    expect(sends).toHaveLength(1);
    expect(records.get('ev-1/support/wecom')).toBeUndefined();
  });

  it('does not send while another receipt holds the claim', async () => {
    // Prepare
    const { ports, records, sends } = memoryPorts({}, { ...SETTINGS, wecom: undefined, email: undefined });
    const claim = {
      eventId: 'ev-1',
      department: 'support',
      channel: 'slack',
      status: 'sending',
      attempts: 1,
      lastError: null,
      at: '',
      detailType: 'opportunity.won',
      claimedUntil: ports.clock.now() + 30_000,
      revision: 1,
    };
    records.set('ev-1/support/slack', claim);

    // Act
    const results = await deliverEvent(EVENT, 'support', ports, OPTIONS);

    // Assess
    expect(results).toEqual([{ channel: 'slack', result: 'later', afterSeconds: 30 }]);
    expect(sends).toHaveLength(0);
  });
});
