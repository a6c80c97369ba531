import { createServer, type Server } from 'node:http';
import type { Logger } from './engines/processes.js';
import { lambdaContext, loadHandler } from './lambda-runtime.js';

/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`) for the functions that an engine
 * or a handler calls by itself: cognito-local invokes the sign-in trigger through it, as Cognito invokes
 * Lambda in AWS, and the import route starts its job. RequestResponse: a handler's error comes back as
 * Lambda reports it, status 200 with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }`.
 * Event (`X-Amz-Invocation-Type: Event`): 202 at once, the handler runs in the background (once: a
 * failed run is logged, not retried).
 */
export interface InvokableFunction {
  /** The handler module's absolute path. */
  entry: string;
  /** Fills in what the calling engine leaves out of the event but AWS would send (see stack.ts). */
  prepare?: (event: unknown) => Promise<unknown>;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaInvoke(opts: {
  port: number;
  functions: Readonly<Record<string, InvokableFunction>>;
  log: Logger;
}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const running = new Set<Promise<unknown>>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const name = decodeURIComponent(INVOKE.exec(req.url?.split('?')[0] ?? '')?.[1] ?? '');
    const fn = req.method === 'POST' ? opts.functions[name] : undefined;
    if (!fn) {
      res.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
      });
      res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
      const run = loadHandler(fn.entry)
        .then((handler) => handler(event, lambdaContext(name, 15 * 60_000)))
        .catch((error: unknown) => opts.log(`lambda ${name} (event) failed: ${String(error)}`))
        .finally(() => running.delete(run));
      running.add(run);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end();
      return;
    }
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
      const handler = await loadHandler(fn.entry);
      const result = await handler(fn.prepare ? await fn.prepare(event) : event, lambdaContext(name));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result ?? null));
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      opts.log(`lambda ${name} failed: ${e.message}`);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
    }
  });
  await new Promise<void>((done) => server.listen(opts.port, '127.0.0.1', done));
  return {
    endpoint: `http://127.0.0.1:${opts.port}`,
    stop: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.all(running);
    },
  };
}
