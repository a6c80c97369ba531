import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DELIVERY, type WebhookKind } from '../config/channels.js';
import { ENV, envValue, optionalEnvValue } from '../config/env.js';
import {
  classifyNetworkError,
  classifySesError,
  classifySlack,
  classifyWecom,
  type Outcome,
} from '../domain/channels/classify.js';
import type { EmailMessage } from '../domain/channels/render.js';
import { webhookUrlProblem } from '../domain/channels/settings.js';
import { instrumentClient } from '../http/observability.js';

/**
 * The channels' adapters: a POST to a webhook and an email through SES v2, each answering with the
 * Outcome of classify.ts. The webhook URL is checked again right before the request (settings written
 * under another configuration are not trusted), redirects are not followed (a receiver cannot send the
 * request elsewhere), and no URL ever reaches a log line or an error text.
 */
export type Senders = {
  webhook(kind: WebhookKind, url: string, message: unknown): Promise<Outcome>;
  email(to: readonly string[], message: EmailMessage): Promise<Outcome>;
};

/** Loopback receivers are allowed where the environment says so (the local stack), never in AWS. */
export const loopbackAllowed = (): boolean => optionalEnvValue(ENV.loopbackWebhooks) === 'allow';

export async function postWebhook(kind: WebhookKind, url: string, message: unknown): Promise<Outcome> {
  const problem = webhookUrlProblem(kind, url, loopbackAllowed());
  if (problem) return { kind: 'permanent', error: `webhook URL ${problem}` };
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY.requestTimeoutMs),
    });
    body = await response.text();
  } catch (error) {
    return classifyNetworkError(error);
  }
  return kind === 'slack'
    ? classifySlack(response.status, body, response.headers.get('retry-after'))
    : classifyWecom(response.status, body);
}

let ses: SESv2Client | undefined;

export async function sendEmail(to: readonly string[], message: EmailMessage): Promise<Outcome> {
  ses ??= instrumentClient(
    new SESv2Client({ maxAttempts: 1, requestHandler: { requestTimeout: DELIVERY.requestTimeoutMs } }),
  );
  try {
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: envValue(ENV.emailFrom),
        Destination: { ToAddresses: [...to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
    return { kind: 'sent' };
  } catch (error) {
    return classifySesError(error as { name?: string; $metadata?: { httpStatusCode?: number } });
  }
}

export const SENDERS: Senders = { webhook: postWebhook, email: sendEmail };
