import { createHash, randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOCAL_REGION } from './engines/local-aws.js';
import type { Logger } from './engines/processes.js';

/**
 * SQS, locally, as far as the channel delivery uses it: standard queues with a visibility timeout, a
 * receive count and a redrive to a dead-letter queue after `maxReceiveCount` receives; an endpoint that
 * speaks SQS's JSON protocol for the calls a consumer makes itself (ChangeMessageVisibility, SendMessage,
 * DeleteMessage), so the handler uses the real @aws-sdk/client-sqs; and a poller that feeds a handler
 * batches as Lambda's SQS event source does, deleting what it does not report failed. Messages live in
 * memory (a restart of the local stack drops what was in flight); each queue's file keeps a line per message.
 */
const ACCOUNT = '000000000000';

interface Message {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiptHandle?: string;
}

export class LocalQueue {
  readonly arn: string;
  private messages: Message[] = [];

  constructor(
    readonly name: string,
    readonly url: string,
    /** Where each sent message is appended (JSON lines), as a record of what the queue got. */
    private readonly file: string,
    private readonly redrive?: { deadLetter: LocalQueue; maxReceiveCount: number },
    private readonly now: () => number = Date.now,
  ) {
    this.arn = `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${name}`;
  }

  async send(body: string, attributes: Record<string, string> = {}): Promise<string> {
    const messageId = randomUUID();
    const at = this.now();
    this.messages.push({ messageId, body, attributes, sentAt: at, receiveCount: 0, visibleAt: at });
    await appendFile(
      this.file,
      `${JSON.stringify({ messageId, sentAt: new Date(at).toISOString(), attributes, body: JSON.parse(body) })}\n`,
    );
    return messageId;
  }

  /** Up to `max` visible messages, hidden for `visibilitySeconds`; those received too often go to the DLQ. */
  async receive(max: number, visibilitySeconds: number): Promise<Message[]> {
    const now = this.now();
    const out: Message[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.redrive && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.remove(message);
        await this.redrive.deadLetter.send(message.body, { ...message.attributes, redrivenFrom: this.name });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + visibilitySeconds * 1000;
      out.push({ ...message });
    }
    return out;
  }

  /** False when the handle is not the message's latest (SQS answers ReceiptHandleIsInvalid). */
  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    message.visibleAt = this.now() + seconds * 1000;
    return true;
  }

  delete(receiptHandle: string): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (message) this.remove(message);
    return message !== undefined;
  }

  /** Messages in the queue, visible or not. */
  get depth(): number {
    return this.messages.length;
  }

  private remove(message: Message) {
    this.messages = this.messages.filter((m) => m !== message);
  }
}

/** The SQS JSON-protocol endpoint of a set of local queues, found by their URL's last path segment. */
export async function startLocalSqs(
  port: number,
  queues: () => readonly LocalQueue[],
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const byUrl = (url: unknown) =>
    queues().find((q) => typeof url === 'string' && url.split('/').pop() === q.name);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      const error = (type: string, message: string) =>
        reply(400, { __type: `com.amazonaws.sqs#${type}`, message });
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return error('InvalidParameterValue', 'body is not JSON');
      }
      const queue = byUrl(input.QueueUrl);
      if (!queue) return error('QueueDoesNotExist', 'The specified queue does not exist.');
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      switch (operation) {
        case 'ChangeMessageVisibility':
          return queue.changeVisibility(String(input.ReceiptHandle), Number(input.VisibilityTimeout))
            ? reply(200, {})
            : error('ReceiptHandleIsInvalid', 'The receipt handle is not valid.');
        case 'DeleteMessage':
          queue.delete(String(input.ReceiptHandle));
          return reply(200, {});
        case 'SendMessage': {
          const body = String(input.MessageBody ?? '');
          const attrs = (input.MessageAttributes ?? {}) as Record<string, { StringValue?: string }>;
          const attributes = Object.fromEntries(
            Object.entries(attrs).map(([k, v]) => [k, String(v.StringValue ?? '')]),
          );
          return void queue
            .send(body, attributes)
            .then((MessageId) =>
              reply(200, { MessageId, MD5OfMessageBody: createHash('md5').update(body).digest('hex') }),
            );
        }
        default:
          return error('UnsupportedOperation', `${operation} is not served locally`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const queueUrl = (endpoint: string, name: string) => `${endpoint}/${ACCOUNT}/${name}`;

export interface QueuePollerOptions {
  queues: readonly LocalQueue[];
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  batchSize: number;
  visibilitySeconds: number;
  intervalMs?: number;
  log?: Logger;
}

/** Lambda's SQS event source, locally: one batch per queue at a time; what is not reported failed is deleted. */
export function startQueuePoller(opts: QueuePollerOptions): { stop(): Promise<void> } {
  let stopped = false;
  const loops = opts.queues.map(async (queue) => {
    while (!stopped) {
      const batch = await queue.receive(opts.batchSize, opts.visibilitySeconds);
      if (batch.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
        continue;
      }
      const event: SQSEvent = { Records: batch.map((m) => sqsRecord(queue, m)) };
      const failed = await opts.handler(event).then(
        (out) => new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier)),
        (error: unknown) => {
          opts.log?.(`${queue.name}: the consumer failed the whole batch: ${(error as Error).message}`);
          return new Set(batch.map((m) => m.messageId));
        },
      );
      for (const m of batch) if (!failed.has(m.messageId) && m.receiptHandle) queue.delete(m.receiptHandle);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

function sqsRecord(queue: LocalQueue, m: Message): SQSEvent['Records'][number] {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle ?? '',
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(m.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: LOCAL_REGION,
  };
}
