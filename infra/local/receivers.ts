import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { MESSAGE_LIMITS, PACING, type WebhookKind } from '../../shared/config/channels.js';

/**
 * Slack- and WeChat-Work-style webhook receivers for the local stack: any path is a webhook, with its
 * query (WeChat Work's webhooks differ by `?key=` alone); they answer as the real services do (Slack:
 * `ok`, 400 `invalid_payload`, 429 with Retry-After; WeChat Work: HTTP 200 with `errcode` 0, 45009 over
 * 20 messages a minute to one webhook, 40058 over 4,096 bytes of markdown), and append what they get to
 * `<dir>/<name>.jsonl`, `path` being the webhook's path and query. Tests script answers per webhook:
 * `POST /_script` with
 * `{ "path": "/hook", "answers": [{ "status": 429, "headers": { "Retry-After": "1" }, "body": "rate_limited" }] }`
 * queues those answers for the next requests to that webhook, before the usual behaviour resumes.
 */
export interface ScriptedAnswer {
  status: number;
  body: string | Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface LocalReceiver {
  kind: WebhookKind;
  /** `http://127.0.0.1:<port>`: a webhook is this plus any path. */
  url: string;
  /** Where each request is appended. */
  file: string;
  stop(): Promise<void>;
}

type Answer = ScriptedAnswer;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

/** Slack tolerates short bursts; more than this in a second gets a 429. */
const SLACK_BURST = 5;

function slackAnswer(payload: unknown, recent: number): Answer {
  const p = payload as { text?: unknown; blocks?: unknown } | undefined;
  if (!p || (typeof p.text !== 'string' && !Array.isArray(p.blocks)))
    return { status: 400, body: 'invalid_payload' };
  if (typeof p.text === 'string' && [...p.text].length > MESSAGE_LIMITS.slackChars)
    return { status: 400, body: 'msg_too_long' };
  if (recent > SLACK_BURST) return { status: 429, body: 'rate_limited', headers: { 'Retry-After': '1' } };
  return { status: 200, body: 'ok' };
}

function wecomAnswer(payload: unknown, recent: number): Answer {
  const p = payload as { msgtype?: unknown; markdown?: { content?: unknown }; text?: unknown } | undefined;
  const content = p?.markdown?.content;
  if (p?.msgtype !== 'markdown' || typeof content !== 'string')
    return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
  if (Buffer.byteLength(content) > MESSAGE_LIMITS.wecomBytes)
    return { status: 200, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
  if (recent > PACING.wecom.count)
    return { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } };
  return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
}

export async function startReceiver(kind: WebhookKind, port: number, dir: string): Promise<LocalReceiver> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${kind}.jsonl`);
  const scripts = new Map<string, Answer[]>();
  const arrivals = new Map<string, number[]>();
  const windowMs = kind === 'slack' ? 1_000 : PACING.wecom.windowMs;

  const send = (res: ServerResponse, answer: Answer) => {
    const json = typeof answer.body !== 'string';
    res.writeHead(answer.status, {
      'content-type': json ? 'application/json' : 'text/plain',
      ...answer.headers,
    });
    res.end(json ? JSON.stringify(answer.body) : answer.body);
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = req.url ?? '/';
    if (req.method === 'POST' && path === '/_script') {
      const script = JSON.parse(raw) as { path: string; answers: Answer[] };
      scripts.set(script.path, [...(scripts.get(script.path) ?? []), ...script.answers]);
      return send(res, { status: 204, body: '' });
    }
    if (req.method !== 'POST') return send(res, { status: 405, body: 'method_not_allowed' });
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      payload = undefined;
    }
    const now = Date.now();
    const recent = [...(arrivals.get(path) ?? []).filter((t) => t > now - windowMs), now];
    arrivals.set(path, recent);
    const scripted = scripts.get(path)?.shift();
    const answer =
      scripted ??
      (kind === 'slack' ? slackAnswer(payload, recent.length) : wecomAnswer(payload, recent.length));
    await appendFile(
      file,
      `${JSON.stringify({ receivedAt: new Date(now).toISOString(), path, payload: payload ?? raw, answer: { status: answer.status, body: answer.body } })}\n`,
    );
    send(res, answer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    file,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
