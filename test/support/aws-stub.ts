import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AwsService } from '../../shared/aws/services.js';

/** What the stand-in endpoint answers to one request. */
export interface StubReply {
  /** 0: no answer at all (held until reset or close), for timeouts. */
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body as JSON (the JSON and REST-JSON APIs), else undefined. */
  json: unknown;
}

export interface AwsStub {
  /** Answered in order; when empty, 200 `{}`. */
  replies: StubReply[];
  seen: StubRequest[];
  reset(): void;
  /** Stops listening and gives the endpoint variables back their values. */
  close(): Promise<void>;
}

/**
 * A stand-in AWS endpoint for unit tests of the adapters that call AWS through shared/aws: it keeps what
 * it was sent and answers from a queue, and the given services' AWS_ENDPOINT_URL_<SERVICE> variables point
 * at it until close(). The request's shape (target, path, body) is the adapter's to get right; the test reads it.
 */
export async function startAwsStub(services: readonly AwsService[]): Promise<AwsStub> {
  const variables = services.map((s) => `AWS_ENDPOINT_URL_${s.endpointEnv}`);
  const saved = variables.map((name) => [name, process.env[name]] as const);
  const held: ServerResponse[] = [];
  const stub: AwsStub = {
    replies: [],
    seen: [],
    reset() {
      for (const res of held.splice(0)) res.end();
      stub.replies = [];
      stub.seen.length = 0;
    },
    close: async () => {
      for (const res of held.splice(0)) res.end();
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    stub.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      json: jsonOrUndefined(body),
    });
    const reply = stub.replies.shift() ?? { status: 200, body: '{}' };
    if (reply.status === 0) return void held.push(res);
    res.writeHead(reply.status, reply.headers ?? { 'content-type': 'application/json' });
    res.end(reply.body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  for (const name of variables) process.env[name] = `http://127.0.0.1:${port}`;
  return stub;
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
