import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReplies, FuzzFailure, type FuzzRequest } from '../support/fuzz-harness.js';
import type { RawReply } from '../support/problem-check.js';

/**
 * The fuzz harness's mechanism, over a fake server (no stack): a property fails on the first bad reply,
 * fast-check shrinks the request to the smallest that still fails, and the seed and path printed with it
 * replay exactly that request.
 */
const problem = (status: number): RawReply => ({
  status,
  contentType: 'application/problem+json',
  text: JSON.stringify({ type: 'about:blank', title: 'Bad', status, detail: 'Refused.' }),
});

/** A fake API that answers 400 to every body, except 500 to those with an `x` in them: the bug to find. */
function fakeServer() {
  const sent: FuzzRequest[] = [];
  const send = async (req: FuzzRequest) => {
    sent.push(req);
    return problem(req.body?.includes('x') ? 500 : 400);
  };
  return { sent, send };
}

const bodies = fc
  .string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), maxLength: 40 })
  .map((body): FuzzRequest => ({ as: 'sally', method: 'POST', path: '/v1/accounts', body }));

async function failureOf(run: Promise<unknown>): Promise<FuzzFailure> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FuzzFailure);
  return error as FuzzFailure;
}

afterEach(() => {
  delete process.env.FUZZ_SEED;
  delete process.env.FUZZ_PATH;
  delete process.env.FUZZ_PROPERTY;
});

describe('the fuzz harness', () => {
  it('stops at the first bad reply and shrinks the request to the smallest that still fails', async () => {
    // Prepare
    process.env.FUZZ_SEED = '42';
    const server = fakeServer();

    // Act
    const failure = await failureOf(checkReplies('demo', 200, bodies, [400], { send: server.send }));

    // Assess: of all bodies with an x, the smallest is "x" itself
    expect(failure.counterexample).toEqual({ as: 'sally', method: 'POST', path: '/v1/accounts', body: 'x' });
    expect(failure.seed).toBe(42);
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
    expect(failure.message).toContain('5xx (500)');
    expect(failure.message).toContain(
      `FUZZ_SEED=42 FUZZ_PATH=${failure.path} FUZZ_PROPERTY='demo' npx vitest run test/unit/fuzz-shrink.test.ts -t `,
    );
    // It failed inside: no new request was generated after the first 500, only smaller candidates of it.
    const firstBad = server.sent.findIndex((r) => r.body?.includes('x'));
    const badLength = server.sent[firstBad]?.body?.length ?? 0;
    expect(firstBad).toBeGreaterThanOrEqual(0);
    expect(server.sent.slice(firstBad).every((r) => (r.body?.length ?? 0) <= badLength)).toBe(true);
  });

  it('replays the shrunk request first from the printed seed and path', async () => {
    // Prepare: a failing run, and its seed and path as the message prints them
    const first = await failureOf(checkReplies('demo', 200, bodies, [400], { send: fakeServer().send }));
    const replay = /FUZZ_SEED=(\d+) FUZZ_PATH=(\S+) FUZZ_PROPERTY='demo'/.exec(first.message);
    expect(replay).not.toBeNull();
    Object.assign(process.env, { FUZZ_SEED: replay![1], FUZZ_PATH: replay![2], FUZZ_PROPERTY: 'demo' });
    const server = fakeServer();

    // Act
    const again = await failureOf(checkReplies('demo', 200, bodies, [400], { send: server.send }));

    // Assess
    expect(server.sent[0]).toEqual(first.counterexample);
    expect(again.counterexample).toEqual(first.counterexample);
    expect(again.seed).toBe(first.seed);
  });

  it('sends exactly the number of runs, examples included, when every reply keeps the contract', async () => {
    // Prepare
    const server = fakeServer();
    const clean = bodies.map((req) => ({ ...req, body: req.body?.replaceAll('x', 'y') }));
    const example: FuzzRequest = { as: 'ada', method: 'POST', path: '/v1/leads', body: '{}' };

    // Act
    const tally = await checkReplies('clean', 120, clean, [400], { send: server.send, examples: [example] });

    // Assess
    expect(server.sent).toHaveLength(120);
    expect(server.sent[0]).toEqual(example);
    expect(tally.runs).toBe(120);
    expect(tally.statuses).toEqual(new Map([[400, 120]]));
  });

  it('reports a reply outside the allowed statuses, and a connection that got no reply', async () => {
    // Prepare
    const one = fc.constant<FuzzRequest>({ method: 'GET', path: '/v1/accounts/x' });
    const statusOf = (status: number) => async () => (status ? problem(status) : noReply);
    const noReply: RawReply = { status: 0, contentType: null, text: 'no reply: ECONNRESET' };

    // Act
    const wrong = await failureOf(checkReplies('status', 5, one, [404], { send: statusOf(409) }));
    const reset = await failureOf(checkReplies('reset', 5, one, [404], { send: statusOf(0) }));

    // Assess
    expect(wrong.message).toContain('status 409, expected 404');
    expect(reset.message).toContain('no reply: ECONNRESET');
  });
});
