import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../../infra/local/api-client.js';
import { problemViolations, type RawReply } from '../support/problem-check.js';
import { stack } from '../support/stack.js';
import { countItems } from '../support/table-count.js';

/**
 * A client uploading an over-limit body always reads the 413: the gateway reads and drops the rest
 * of the body (up to API Gateway's 10 MB) instead of closing on a client that is still writing,
 * which the kernel turns into a reset that loses the answer. Both requests go on one raw TCP
 * connection, so the second answer proves that the connection survived the first.
 */
type Answer = RawReply;

/** Fails the test only by a hang far past any busy machine's pace; nothing here waits for a time. */
const HANG_MS = 60_000;
let token: string;

beforeAll(async () => {
  token = await tokenFor(stack(), 'ada');
});

/** The body that starts at `from`, de-chunked when chunked: its text and where it ends, or undefined while incomplete. */
function bodyAt(buffer: Buffer, from: number, length: number | 'chunked') {
  if (length !== 'chunked')
    return buffer.length < from + length
      ? undefined
      : { text: buffer.subarray(from, from + length).toString('utf8'), end: from + length };
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buffer.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(buffer.subarray(at, eol).toString('latin1'), 16);
    if (buffer.length < eol + 2 + size + 2) return undefined;
    if (size === 0) return { text: Buffer.concat(parts).toString('utf8'), end: eol + 4 };
    parts.push(buffer.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** Reads HTTP/1.1 answers off the socket until `count` are complete (or the socket closes). */
function answers(socket: net.Socket, count: number): Promise<Answer[]> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const parsed: Answer[] = [];
    const parse = () => {
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const header = (name: string) =>
          head
            .find((l) => l.toLowerCase().startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim() ?? null;
        const chunked = /chunked/i.test(header('transfer-encoding') ?? '');
        const body = bodyAt(buffer, end + 4, chunked ? 'chunked' : Number(header('content-length') ?? 0));
        if (!body) return;
        parsed.push({
          status: Number(head[0]?.split(' ')[1]),
          contentType: header('content-type'),
          text: body.text,
        });
        buffer = buffer.subarray(body.end);
      }
    };
    const finish = () => {
      socket.destroy();
      while (parsed.length < count) parsed.push({ status: 0, contentType: null, text: 'no answer' });
      resolve(parsed);
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      parse();
      if (parsed.length >= count) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.setTimeout(HANG_MS, finish);
  });
}

function request(body: string, chunked: boolean): string {
  const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${Buffer.byteLength(body)}`;
  return `POST /v1/accounts HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`;
}

/** Writes the big request (in pieces, waiting for the socket to drain), then a small one after it. */
async function sendBoth(socket: net.Socket, big: string, chunked: boolean) {
  const write = (data: string) =>
    new Promise<void>((done) => (socket.write(data) ? done() : socket.once('drain', done)));
  await write(request(big, chunked));
  const piece = 64 * 1024;
  for (let at = 0; at < big.length && !socket.destroyed; at += piece) {
    const part = big.slice(at, at + piece);
    await write(chunked ? `${part.length.toString(16)}\r\n${part}\r\n` : part);
  }
  if (chunked) await write('0\r\n\r\n');
  const small = JSON.stringify({ bogus: true });
  await write(`${request(small, false)}${small}`);
}

describe('an oversized body', () => {
  it.each([
    [300_000, false],
    [2_000_000, false],
    [9_000_000, false],
    [1_000_000, true],
  ])(
    'of %i bytes (chunked: %s) gets the 413 problem, and its connection still serves the next request',
    async (size, chunked) => {
      const before = await countItems();
      const url = new URL(stack().apiUrl);
      const socket = net.connect(Number(url.port), url.hostname);
      const replies = answers(socket, 2);
      await new Promise((connected) => socket.once('connect', connected));

      await sendBoth(socket, JSON.stringify({ name: 'x'.repeat(size) }), chunked).catch(() => undefined);
      const [big, next] = await replies;

      expect(big?.status, big?.text).toBe(413);
      expect(problemViolations(big!)).toEqual([]);
      expect(next?.status, `the same connection answers the next request: ${next?.text}`).toBe(400);
      expect(problemViolations(next!)).toEqual([]);
      expect(await countItems()).toBe(before);
    },
  );
});
