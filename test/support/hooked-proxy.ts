import { createServer, request, type Server } from 'node:http';

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that can hold an operation back while a test
 * does something else first: how a test puts a racing change exactly between a use case's read and
 * its write, on the real engine, without waiting a fixed time.
 */
export interface HookedProxy {
  url: string;
  /** Runs `act` once, before the next of these operations is forwarded; resolves when it has run. */
  before(ops: readonly string[], act: () => Promise<void>): Promise<void>;
  /** Operations seen since the last reset, in order. */
  calls(): string[];
  reset(): void;
  /** Stops listening: connections are refused (ECONNREFUSED), as from a killed engine … */
  stop(): Promise<void>;
  /** … and listens again on the same port. */
  listenAgain(): Promise<void>;
}

export async function startHookedProxy(target: string): Promise<HookedProxy> {
  const upstream = new URL(target);
  let seen: string[] = [];
  let hook: { ops: readonly string[]; act: () => Promise<void>; done: (error?: unknown) => void } | undefined;
  const server: Server = createServer(async (req, res) => {
    const op =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    seen.push(op);
    const armed = hook?.ops.includes(op) ? hook : undefined;
    if (armed) {
      hook = undefined;
      await armed.act().then(
        () => armed.done(),
        (error: unknown) => armed.done(error),
      );
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  const listen = (on: number) =>
    new Promise<void>((resolve) => server.listen(on, '127.0.0.1', () => resolve()));
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    before: (ops, act) =>
      new Promise<void>((resolve, reject) => {
        hook = { ops, act, done: (error) => (error ? reject(error) : resolve()) };
      }),
    calls: () => [...seen],
    reset: () => {
      seen = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    listenAgain: () => listen(port),
  };
}
