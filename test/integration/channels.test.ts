import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { LOCAL_REGION } from '../../infra/local/engines/local-aws.js';
import { lambdaContext, loadHandler } from '../../infra/local/lambda-runtime.js';
import { DEFAULT_EMAIL_FROM, DELIVERY_CONSUMER, MESSAGE_LIMITS } from '../../shared/config/channels.js';
import { ENV } from '../../shared/config/env.js';
import { useStackEnv } from '../support/direct.js';
import { as, readJsonLines, stack, waitForEvent } from '../support/stack.js';

/**
 * Channels through the local stack (docs/channels.md): an admin sets support's Slack, WeChat Work and
 * email; a case sue creates goes HTTP → table → stream → bus → support's queue → the delivery consumer
 * → the local Slack and WeChat Work receivers and the local SES, once each; refusals are retried or
 * dead-lettered as the receivers' answers say (the receivers take scripted answers per webhook).
 */
interface Received {
  receivedAt: string;
  path: string;
  payload: Record<string, unknown>;
  answer: { status: number; body: unknown };
}
interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}
interface Delivery {
  eventId: string;
  channel: 'slack' | 'wecom' | 'email';
  status: string;
  attempts: number;
  lastError: string | null;
  at: string;
}
type Settings = {
  department: string;
  slack?: { webhookUrl: string; status: string; failingSince?: string; lastError?: string };
  wecom?: { webhookUrl: string; status: string; failingSince?: string; lastError?: string };
  email?: { to: string[]; status: string };
  events: string[];
  updatedAt: string | null;
};
type TestResults = {
  department: string;
  results: { channel: string; outcome: string; retryable?: boolean; error?: string }[];
};

/** Far past the consumer's pace (a poll returns as soon as the thing is there). */
const PATIENCE_MS = 30_000;
/** The webhook URLs' secret part: it must show up nowhere but in the table and the receivers. */
const SECRET = randomBytes(12).toString('hex');
const MAILBOX = `support-${randomBytes(4).toString('hex')}@it.concord.example`;
const EVENTS = ['case.*', 'opportunity.won'];

let ada: ApiClient;
let sue: ApiClient;
let sally: ApiClient;
let accountId = '';

const receiverFile = (kind: 'slack' | 'wecom') =>
  join(dirname(stack().eventsLog), 'channels', `${kind}.jsonl`);
const slackHook = (name: string) => `${stack().receivers.slack}/services/it/${name}/${SECRET}`;
const wecomHook = (name: string) => `${stack().receivers.wecom}/cgi-bin/webhook/send?key=${name}-${SECRET}`;
/** The webhook as the receiver names it: its path and query. */
const hookPath = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${PATIENCE_MS} ms`);
}

const received = async (kind: 'slack' | 'wecom', url: string, about: string) =>
  (await readJsonLines<Received>(receiverFile(kind))).filter(
    (r) => r.path === hookPath(url) && JSON.stringify(r.payload).includes(about),
  );

async function emails(about: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(stack().email.storeUrl)).json()) as { emails: StoredEmail[] };
  return store.emails.filter(
    (e) => e.destination.to.includes(MAILBOX) && `${e.subject}${e.body.text}`.includes(about),
  );
}

async function script(kind: 'slack' | 'wecom', url: string, answers: unknown[]) {
  const res = await fetch(`${stack().receivers[kind]}/_script`, {
    method: 'POST',
    body: JSON.stringify({ path: hookPath(url), answers }),
  });
  expect(res.status).toBe(204);
}

async function configure(slack: string, wecom: string) {
  const res = await ada.put<Settings>('/v1/admin/channels/support', {
    slack: { webhookUrl: slack },
    wecom: { webhookUrl: wecom },
    email: { to: [MAILBOX] },
    events: EVENTS,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function deliveries(status?: string): Promise<Delivery[]> {
  const res = await ada.get<{ items: Delivery[] }>(
    `/v1/admin/channels/support/deliveries?limit=100${status ? `&status=${status}` : ''}`,
  );
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The department's delivery records of one event, once each channel's is in one of `statuses`. */
const settled = (eventId: string, want: Record<string, string>) =>
  until(`deliveries of ${eventId} ${JSON.stringify(want)}`, async () => {
    const mine = (await deliveries()).filter((d) => d.eventId === eventId);
    const done = Object.entries(want).every(([channel, status]) =>
      mine.some((d) => d.channel === channel && d.status === status),
    );
    return done && mine.length === Object.keys(want).length ? mine : undefined;
  });

const byChannel = (items: Delivery[], channel: string) => items.find((d) => d.channel === channel)!;

async function createCase(subject: string, description?: string) {
  const res = await sue.post<{ id: string }>('/v1/cases', {
    accountId,
    subject,
    priority: 'high',
    ...(description ? { description } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const event = await waitForEvent(res.body.id, 'case.created');
  return { id: res.body.id, eventId: String(event.event.detail.eventId) };
}

beforeAll(async () => {
  ada = await as('ada');
  sue = await as('sue');
  sally = await as('sally');
  const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Channel Tests Ltd' });
  expect(account.status).toBe(201);
  accountId = account.body.id;
});

describe('channel settings', () => {
  it('are the admins’ alone', async () => {
    // Act
    const put = await sue.put('/v1/admin/channels/support', {
      slack: { webhookUrl: slackHook('sue') },
      events: ['case.*'],
    });
    const get = await sue.get('/v1/admin/channels/support');
    const test = await sue.post('/v1/admin/channels/support/test');
    const list = await sue.get('/v1/admin/channels/support/deliveries');

    // Assess
    expect([put.status, get.status, test.status, list.status]).toEqual([403, 403, 403, 403]);
  });

  it('name a department that exists', async () => {
    // Act
    const res = await ada.get('/v1/admin/channels/finance');

    // Assess
    expect(res.status).toBe(404);
  });

  it.each([
    ['slack', 'https://evil.example/x'],
    ['slack', 'http://169.254.169.254/latest/meta-data'],
    ['slack', 'http://127.0.0.1/services/x'],
    ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'],
    ['wecom', 'https://hooks.slack.com/services/T/B/x'],
  ] as const)('refuse %s URL %s (400) and write nothing', async (kind, url) => {
    // Prepare
    const before = await ada.get<Settings>('/v1/admin/channels/support');

    // Act
    const res = await ada.put<{ errors: { path: string }[] }>('/v1/admin/channels/support', {
      [kind]: { webhookUrl: url },
      events: ['case.*'],
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual([`${kind}.webhookUrl`]);
    expect(JSON.stringify(res.body)).not.toContain(url);
    expect((await ada.get<Settings>('/v1/admin/channels/support')).body).toEqual(before.body);
  });

  it('answer with the webhook URLs masked, on PUT and on GET', async () => {
    // Prepare
    const slack = slackHook('main');
    const wecom = wecomHook('main');
    const masked = (url: string) => `${new URL(url).origin}/…${url.slice(-4)}`;

    // Act
    const put = await configure(slack, wecom);
    const get = await ada.get<Settings>('/v1/admin/channels/support');

    // Assess
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put);
    expect(put).toMatchObject({
      department: 'support',
      slack: { webhookUrl: masked(slack), status: 'ok' },
      wecom: { webhookUrl: masked(wecom), status: 'ok' },
      email: { to: [MAILBOX], status: 'ok' },
      events: EVENTS,
    });
    expect(JSON.stringify(put)).not.toContain(SECRET);
  });
});

describe('a case sue creates', () => {
  it('reaches support’s Slack, WeChat Work and email once each, in each one’s format, with a link', async () => {
    // Prepare
    const slack = slackHook('main');
    const wecom = wecomHook('main');
    await configure(slack, wecom);
    const subject = `Printer on fire ${randomBytes(4).toString('hex')}`;
    // Over WeChat Work's 4,096 bytes of markdown (3 bytes a character): its message is cut.
    const description = '工'.repeat(2_000);

    // Act
    const created = await createCase(subject, description);
    const link = `${stack().apiUrl}/v1/cases/${created.id}`;
    const records = await settled(created.eventId, { slack: 'sent', wecom: 'sent', email: 'sent' });

    // Assess: exactly one of each, the records say sent once; nothing more comes after "sent"
    const [slackGot, wecomGot, mail] = await Promise.all([
      received('slack', slack, created.id),
      received('wecom', wecom, created.id),
      emails(created.id),
    ]);
    expect(slackGot).toHaveLength(1);
    expect(wecomGot).toHaveLength(1);
    expect(mail).toHaveLength(1);
    for (const r of records) expect(r).toMatchObject({ attempts: 1, lastError: null });

    const slackMessage = slackGot[0]!.payload as { text: string; blocks: { type: string }[] };
    expect(slackGot[0]!.answer.status).toBe(200);
    expect(slackMessage.text).toContain(`case.created: case ${created.id}`);
    expect(slackMessage.text).toContain(subject);
    expect(slackMessage.text).toContain(`<${link}|Open the record>`);
    expect(slackMessage.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(JSON.stringify(slackMessage.blocks)).toContain(`"url":"${link}"`);

    const wecomMessage = wecomGot[0]!.payload as { msgtype: string; markdown: { content: string } };
    expect(wecomGot[0]!.answer.body).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(wecomMessage.msgtype).toBe('markdown');
    expect(wecomMessage.markdown.content).toContain(`case.created: case ${created.id}`);
    expect(Buffer.byteLength(wecomMessage.markdown.content)).toBeLessThanOrEqual(MESSAGE_LIMITS.wecomBytes);
    expect(wecomMessage.markdown.content).toMatch(/cut: the whole record is behind the link/);
    expect(wecomMessage.markdown.content.endsWith(`[Open the record](${link})`)).toBe(true);

    // The email, from the stage's sender to the settings' addresses, has both parts: plain text, and HTML
    // with the fields in a table.
    expect(mail[0]!.from).toBe(DEFAULT_EMAIL_FROM);
    expect(mail[0]!.destination.to).toEqual([MAILBOX]);
    expect(mail[0]!.subject).toBe(`[Concord CRM] case.created: case ${created.id}`);
    expect(mail[0]!.body.text).toContain(`subject: ${subject}`);
    expect(mail[0]!.body.text).toContain(link);
    expect(mail[0]!.body.text).not.toMatch(/<\/?[a-z]+[ >]/);
    expect(mail[0]!.body.html).toContain(`<tr><th align="left">subject</th><td>${subject}</td></tr>`);
    expect(mail[0]!.body.html).toContain(`<a href="${link}">Open the record</a>`);
  });

  it('is listed among the deliveries, newest first, by status and page by page', async () => {
    // Prepare
    const created = await createCase(`Listed ${randomBytes(4).toString('hex')}`);
    await settled(created.eventId, { slack: 'sent', wecom: 'sent', email: 'sent' });

    // Act
    const sent = await deliveries('sent');
    const dead = await deliveries('dead');
    const first = await ada.get<{ items: Delivery[]; nextCursor: string | null }>(
      '/v1/admin/channels/support/deliveries?limit=2',
    );
    const next = await ada.get<{ items: Delivery[]; nextCursor: string | null }>(
      `/v1/admin/channels/support/deliveries?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    const badStatus = await ada.get('/v1/admin/channels/support/deliveries?status=lost');

    // Assess
    expect(
      sent
        .filter((d) => d.eventId === created.eventId)
        .map((d) => d.channel)
        .sort(),
    ).toEqual(['email', 'slack', 'wecom']);
    expect(sent.every((d) => d.status === 'sent')).toBe(true);
    expect(dead.some((d) => d.eventId === created.eventId)).toBe(false);
    const ats = sent.map((d) => d.at);
    expect(ats).toEqual([...ats].sort().reverse());
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(next.status).toBe(200);
    const seen = new Set(first.body.items.map((d) => `${d.eventId}/${d.channel}`));
    expect(next.body.items.some((d) => seen.has(`${d.eventId}/${d.channel}`))).toBe(false);
    expect(badStatus.status).toBe(400);
  });
});

describe('a won opportunity', () => {
  it('reaches support without what support may not see (its amount)', async () => {
    // Prepare
    const slack = slackHook('main');
    const wecom = wecomHook('main');
    await configure(slack, wecom);
    const name = `Big deal ${randomBytes(4).toString('hex')}`;

    // Act
    const res = await sally.post<{ id: string }>('/v1/opportunities', {
      accountId,
      name,
      amount: '98765.43',
      currency: 'EUR',
      stage: 'won',
    });
    expect(res.status).toBe(201);
    const event = await waitForEvent(res.body.id, 'opportunity.won');
    await settled(String(event.event.detail.eventId), { slack: 'sent', wecom: 'sent', email: 'sent' });

    // Assess
    const messages = [
      ...(await received('slack', slack, res.body.id)),
      ...(await received('wecom', wecom, res.body.id)),
    ].map((r) => JSON.stringify(r.payload));
    const mail = await emails(res.body.id);
    messages.push(...mail.map((m) => `${m.body.text}${m.body.html}`));
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(message).toContain(name);
      expect(message).not.toContain('98765');
      expect(message).not.toMatch(/amount/);
    }
  });
});

describe('the test route', () => {
  it('sends a test message to each channel and reports each outcome', async () => {
    // Prepare
    const slack = slackHook('test');
    const wecom = wecomHook('test');
    await configure(slack, wecom);
    const mailed = (await emails('Test message for support')).length;

    // Act
    const res = await ada.post<TestResults>('/v1/admin/channels/support/test');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      department: 'support',
      results: [
        { channel: 'slack', outcome: 'sent' },
        { channel: 'wecom', outcome: 'sent' },
        { channel: 'email', outcome: 'sent' },
      ],
    });
    expect(await received('slack', slack, 'test message')).toHaveLength(1);
    expect(await received('wecom', wecom, 'test message')).toHaveLength(1);
    expect(await emails('Test message for support')).toHaveLength(mailed + 1);
  });

  it('reports a refusal per channel, permanent or worth another try', async () => {
    // Prepare
    const slack = slackHook('test-refused');
    const wecom = wecomHook('test-refused');
    await configure(slack, wecom);
    await script('slack', slack, [{ status: 410, body: 'channel_is_archived' }]);
    await script('wecom', wecom, [
      { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
    ]);

    // Act
    const res = await ada.post<TestResults>('/v1/admin/channels/support/test');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { channel: 'slack', outcome: 'failed', retryable: false, error: 'HTTP 410 channel_is_archived' },
      { channel: 'wecom', outcome: 'failed', retryable: true, error: 'errcode 45009 api freq out of limit' },
      { channel: 'email', outcome: 'sent' },
    ]);
  });

  it('answers 409 for a department without channels', async () => {
    // Act
    const res = await ada.post('/v1/admin/channels/marketing/test');

    // Assess
    expect(res.status).toBe(409);
  });
});

describe('refusals', () => {
  it('a permanent one dead-letters at once and marks the channel failing until the settings change', async () => {
    // Prepare
    const slack = slackHook('gone');
    const wecom = wecomHook('gone');
    await configure(slack, wecom);
    await script('slack', slack, [{ status: 404, body: 'no_service' }]);
    await script('wecom', wecom, [{ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } }]);

    // Act
    const created = await createCase(`Gone ${randomBytes(4).toString('hex')}`);
    const records = await settled(created.eventId, { slack: 'dead', wecom: 'dead', email: 'sent' });
    const settings = await ada.get<Settings>('/v1/admin/channels/support');

    // Assess
    expect(byChannel(records, 'slack')).toMatchObject({ attempts: 1, lastError: 'HTTP 404 no_service' });
    expect(byChannel(records, 'wecom')).toMatchObject({
      attempts: 1,
      lastError: 'errcode 93000 invalid webhook url',
    });
    expect(settings.body.slack).toMatchObject({ status: 'failing', lastError: 'HTTP 404 no_service' });
    expect(settings.body.wecom).toMatchObject({
      status: 'failing',
      lastError: 'errcode 93000 invalid webhook url',
    });
    expect(Date.parse(settings.body.slack!.failingSince!)).not.toBeNaN();
    expect(settings.body.email?.status).toBe('ok');
    expect((await deliveries('dead')).filter((d) => d.eventId === created.eventId)).toHaveLength(2);
    const deadLetters = await readJsonLines<{
      attributes: Record<string, string>;
      body: { detail: { eventId: string } };
    }>(join(dirname(stack().queues.support!), 'support-dlq.jsonl'));
    expect(
      deadLetters
        .filter((m) => m.body.detail.eventId === created.eventId)
        .map((m) => m.attributes.channel)
        .sort(),
    ).toEqual(['slack', 'wecom']);
    expect(await received('slack', slack, created.id)).toHaveLength(1);

    // Act: the admin puts the settings again (fixed, say)
    const fixed = await configure(slack, wecom);

    // Assess
    expect(fixed.slack?.status).toBe('ok');
    expect(fixed.wecom?.status).toBe('ok');
  });

  it('a rate limit or a busy receiver is tried again after its wait, then sent', async () => {
    // Prepare
    const slack = slackHook('busy');
    const wecom = wecomHook('busy');
    await configure(slack, wecom);
    await script('slack', slack, [{ status: 429, headers: { 'Retry-After': '5' }, body: 'rate_limited' }]);
    await script('wecom', wecom, [
      { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
    ]);

    // Act
    const created = await createCase(`Busy ${randomBytes(4).toString('hex')}`);
    const retrying = await until('slack retrying', async () =>
      (await deliveries('retrying')).find((d) => d.eventId === created.eventId && d.channel === 'slack'),
    );
    const records = await settled(created.eventId, { slack: 'sent', wecom: 'sent', email: 'sent' });

    // Assess
    expect(retrying).toMatchObject({ attempts: 1, lastError: 'HTTP 429 rate_limited' });
    expect(byChannel(records, 'slack')).toMatchObject({ attempts: 2, lastError: null });
    expect(byChannel(records, 'wecom')).toMatchObject({ attempts: 2, lastError: null });
    expect(byChannel(records, 'email')).toMatchObject({ attempts: 1 });
    const slackGot = await received('slack', slack, created.id);
    expect(slackGot.map((r) => r.answer.status)).toEqual([429, 200]);
    // Not before the receiver's Retry-After.
    expect(Date.parse(slackGot[1]!.receivedAt) - Date.parse(slackGot[0]!.receivedAt)).toBeGreaterThanOrEqual(
      5_000,
    );
    expect(
      (await received('wecom', wecom, created.id)).map((r) => (r.answer.body as { errcode: number }).errcode),
    ).toEqual([45009, 0]);
  });
});

/** A message of a department's queue as the local stack records it (infra/local/department-queues.ts). */
interface QueuedMessage {
  messageId: string;
  body: { detail: { eventId: string } };
}

/**
 * The delivery consumer in this worker, as a second Lambda instance would run it, on the stack's table,
 * receivers and SES: what it sends shows up where the stack's own consumer's messages do.
 */
async function secondConsumer() {
  const arn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:concord-crm-inbox-support`;
  // No SQS here: a consumer that wanted to hand a message back would fail the test on it.
  const nowhere = 'http://127.0.0.1:9/000000000000/none';
  useStackEnv({
    AWS_ENDPOINT_URL_SESV2: stack().email.endpoint,
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
    [ENV.channelQueues]: JSON.stringify({
      [arn]: { department: 'support', url: nowhere, deadLetterUrl: nowhere },
    }),
    [ENV.recordLinkBase]: stack().apiUrl,
  });
  const handler = await loadHandler<SQSEvent, SQSBatchResponse>(join(process.cwd(), DELIVERY_CONSUMER.entry));
  return (messages: { messageId: string; body: string; receiveCount: number }[]) =>
    handler(
      {
        Records: messages.map((m) => ({
          messageId: m.messageId,
          receiptHandle: `replay-${m.messageId}-${m.receiveCount}`,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(Date.now()),
            SenderId: '000000000000',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: LOCAL_REGION,
        })),
      },
      lambdaContext('deliver-channels', DELIVERY_CONSUMER.timeoutSeconds * 1000),
    );
}

describe('a redelivered event', () => {
  it('sends nothing again: the same message received again, or the same event twice in one batch', async () => {
    // Prepare: a case delivered to all three channels by the stack's consumer
    const slack = slackHook('replay');
    const wecom = wecomHook('replay');
    await configure(slack, wecom);
    const created = await createCase(`Replayed ${randomBytes(4).toString('hex')}`);
    const records = await settled(created.eventId, { slack: 'sent', wecom: 'sent', email: 'sent' });
    const queued = await until('the case in support’s queue', async () =>
      (await readJsonLines<QueuedMessage>(stack().queues.support!)).find(
        (m) => m.body.detail.eventId === created.eventId,
      ),
    );
    const body = JSON.stringify(queued.body);
    const deliver = await secondConsumer();

    // Act
    const again = await deliver([{ messageId: queued.messageId, body, receiveCount: 2 }]);
    const twice = await deliver([
      { messageId: `${queued.messageId}-a`, body, receiveCount: 1 },
      { messageId: `${queued.messageId}-b`, body, receiveCount: 1 },
    ]);

    // Assess: nothing handed back, nothing sent, the records as they were
    expect(again.batchItemFailures).toEqual([]);
    expect(twice.batchItemFailures).toEqual([]);
    expect(await received('slack', slack, created.id)).toHaveLength(1);
    expect(await received('wecom', wecom, created.id)).toHaveLength(1);
    expect(await emails(created.id)).toHaveLength(1);
    const after = (await deliveries()).filter((d) => d.eventId === created.eventId);
    const byKey = (items: Delivery[]) => [...items].sort((a, b) => a.channel.localeCompare(b.channel));
    expect(byKey(after)).toEqual(byKey(records));
  });
});

describe('webhook URLs', () => {
  it('are in no log and no event', async () => {
    // Act
    const handlersLog = process.env.CONCORD_LOG_FILE ?? '';
    const files = [handlersLog, join(dirname(handlersLog), 'stack.log'), stack().eventsLog];
    const logs = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));

    // Assess
    expect(logs[0]).toMatch(/channel delivery/);
    for (const text of logs) expect(text).not.toContain(SECRET);
  });
});
