import { AWS_SERVICES } from '../aws/services.js';
import { AwsError, bodyText, sendSigned } from '../aws/signed-request.js';
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

/**
 * SES v2 SendEmail as a signed REST-JSON request (shared/aws): the SDK client would add 60 KB to each
 * function that sends, for this one call. One attempt: the delivery consumer decides about another.
 */
export async function sendEmail(to: readonly string[], message: EmailMessage): Promise<Outcome> {
  const request = {
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
  };
  try {
    const response = await sendSigned(
      {
        service: AWS_SERVICES.ses,
        method: 'POST',
        path: '/v2/email/outbound-emails',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      },
      { attempts: 1, timeoutMs: DELIVERY.requestTimeoutMs },
    );
    await bodyText(response); // the MessageId, unused; read so that the connection is free again
    return { kind: 'sent' };
  } catch (error) {
    // An AWS refusal carries its code and status; no answer at all (a timeout, a reset) has no status.
    return classifySesError(
      error instanceof AwsError ? error : { name: error instanceof Error ? error.name : undefined },
    );
  }
}

export const SENDERS: Senders = { webhook: postWebhook, email: sendEmail };
