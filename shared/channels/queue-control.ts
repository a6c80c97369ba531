import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { instrumentClient } from '../http/observability.js';

/**
 * What the delivery consumer does to its queue beyond Lambda's own deletes: hand a message back for
 * later (its visibility: the retry's backoff, or the receiver's Retry-After), and dead-letter one at once
 * (a permanent refusal, or the last attempt) with the channel and the reason beside it.
 */
let sqs: SQSClient | undefined;
const client = () => (sqs ??= instrumentClient(new SQSClient({ maxAttempts: 3 })));

/** SQS takes visibility timeouts up to 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export async function retryLater(queueUrl: string, receiptHandle: string, seconds: number): Promise<void> {
  await client().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds))),
    }),
  );
}

export async function deadLetter(
  deadLetterUrl: string,
  body: string,
  reason: { channel: string; error: string },
): Promise<void> {
  await client().send(
    new SendMessageCommand({
      QueueUrl: deadLetterUrl,
      MessageBody: body,
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: reason.channel },
        error: { DataType: 'String', StringValue: reason.error },
      },
    }),
  );
}
