import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DELIVERY_CONSUMER } from '../../shared/config/channels.js';
import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import { ENV } from '../../shared/config/env.js';
import { freePort, type Logger } from './engines/processes.js';
import { type RunningSes, startSesLocal } from './engines/ses-local.js';
import { lambdaContext, loadHandler } from './lambda-runtime.js';
import { LocalQueue, queueUrl, startLocalSqs, startQueuePoller } from './local-queue.js';
import { type LocalReceiver, startReceiver } from './receivers.js';

/**
 * Channels on the local stack: SES v2 (aws-ses-v2-local), Slack- and WeChat-Work-style receivers, each
 * department's queue (the target of its bus rules) with its dead-letter queue, and the delivery consumer
 * fed from those queues as Lambda's SQS event source feeds it in AWS.
 */
export interface LocalChannels {
  inboxes: ReadonlyMap<Department, LocalQueue>;
  deadLetters: ReadonlyMap<Department, LocalQueue>;
  email: { endpoint: string; storeUrl: string; webUrl: string };
  receivers: { slack: string; wecom: string };
  /** Files the receivers append to, by receiver. */
  receiverFiles: { slack: string; wecom: string };
  /** The handlers' environment for SES, SQS and the consumer's queues. */
  env: Record<string, string>;
  /** Starts the delivery consumer; RECORD_LINK_BASE must be set by then. */
  startDelivery(): Promise<void>;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const INBOX = (d: Department) => `concord-crm-inbox-${d}`;
/** SQS's default, and the inboxes' in AWS. */
const VISIBILITY_SECONDS = 30;

export async function startLocalChannels(opts: {
  dataDir: string;
  logsDir: string;
  log?: Logger;
}): Promise<LocalChannels> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const ses: RunningSes = await startSesLocal({ logsDir: opts.logsDir, log: opts.log });
    stops.push(ses.stop);
    const channelsDir = join(opts.dataDir, 'channels');
    const slack: LocalReceiver = await startReceiver('slack', await freePort(), channelsDir);
    stops.push(slack.stop);
    const wecom: LocalReceiver = await startReceiver('wecom', await freePort(), channelsDir);
    stops.push(wecom.stop);

    const queuesDir = join(opts.dataDir, 'queues');
    const sqsPort = await freePort();
    const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
    const inboxes = new Map<Department, LocalQueue>();
    const deadLetters = new Map<Department, LocalQueue>();
    for (const d of DEPARTMENTS) {
      const dlqName = `${INBOX(d)}-dlq`;
      const dlq = new LocalQueue(dlqName, queueUrl(sqsEndpoint, dlqName), join(queuesDir, `${d}-dlq.jsonl`));
      deadLetters.set(d, dlq);
      inboxes.set(
        d,
        new LocalQueue(INBOX(d), queueUrl(sqsEndpoint, INBOX(d)), join(queuesDir, `${d}.inbox.jsonl`), {
          deadLetter: dlq,
          maxReceiveCount: DELIVERY_CONSUMER.maxReceiveCount,
        }),
      );
    }
    const sqs = await startLocalSqs(sqsPort, () => [...inboxes.values(), ...deadLetters.values()]);
    stops.push(sqs.stop);

    const channelQueues = Object.fromEntries(
      DEPARTMENTS.map((d) => [
        inboxes.get(d)!.arn,
        { department: d, url: inboxes.get(d)!.url, deadLetterUrl: deadLetters.get(d)!.url },
      ]),
    );
    return {
      inboxes,
      deadLetters,
      email: { endpoint: ses.endpoint, storeUrl: ses.storeUrl, webUrl: ses.webUrl },
      receivers: { slack: slack.url, wecom: wecom.url },
      receiverFiles: { slack: slack.file, wecom: wecom.file },
      env: {
        AWS_ENDPOINT_URL_SESV2: ses.endpoint,
        AWS_ENDPOINT_URL_SQS: sqsEndpoint,
        [ENV.channelQueues]: JSON.stringify(channelQueues),
      },
      startDelivery: async () => {
        const handler = await loadHandler<SQSEvent, SQSBatchResponse>(join(root, DELIVERY_CONSUMER.entry));
        const poller = startQueuePoller({
          queues: [...inboxes.values()],
          handler: (event) =>
            handler(event, lambdaContext('deliver-channels', DELIVERY_CONSUMER.timeoutSeconds * 1000)),
          batchSize: DELIVERY_CONSUMER.batchSize,
          visibilitySeconds: VISIBILITY_SECONDS,
          log: opts.log,
        });
        stops.push(poller.stop);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
