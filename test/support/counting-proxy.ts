import { createServer, request, type Server } from 'node:http';

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that counts the operations sent (by their
 * X-Amz-Target), so tests and benchmarks can assert round trips per route on the real engine.
 */
export interface CountingProxy {
  url: string;
  /** Operations seen since the last reset, in order (e.g. ['GetItem']). */
  calls(): string[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const op =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    seen.push(op);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => [...seen],
    reset: () => {
      seen = [];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
