import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AWS_SERVICES } from '../../shared/aws/services.js';
import { sendEmail } from '../../shared/channels/senders.js';
import { ENV, envValue } from '../../shared/config/env.js';
import { type AwsStub, startAwsStub } from '../support/aws-stub.js';

/**
 * The email sender against a stand-in SES v2 endpoint: the SendEmail request as SES v2 takes it, and its
 * answers as the delivery consumer must read them (sent, try later, give up). integration/channels runs
 * the same request against aws-ses-v2-local and reads the mailbox.
 */
let ses: AwsStub;
const MESSAGE = { subject: 'Héllo', text: 'plain text', html: '<p>html</p>' };

beforeAll(async () => {
  ses = await startAwsStub([AWS_SERVICES.ses]);
});
afterAll(() => ses.close());
beforeEach(() => ses.reset());

describe('an email through SES v2', () => {
  it('is one signed SendEmail: the sender, the addresses, a UTF-8 subject and both bodies', async () => {
    // Prepare
    ses.replies = [{ status: 200, body: '{"MessageId":"m-1"}' }];

    // Act
    const outcome = await sendEmail(['a@example.com', 'b@example.com'], MESSAGE);

    // Assess
    expect(outcome).toEqual({ kind: 'sent' });
    const [request] = ses.seen;
    expect([request?.method, request?.url]).toEqual(['POST', '/v2/email/outbound-emails']);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toMatch(/\/ses\/aws4_request, /);
    expect(request?.json).toEqual({
      FromEmailAddress: envValue(ENV.emailFrom),
      Destination: { ToAddresses: ['a@example.com', 'b@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Héllo', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'plain text', Charset: 'UTF-8' },
            Html: { Data: '<p>html</p>', Charset: 'UTF-8' },
          },
        },
      },
    });
  });

  it.each([
    [429, { 'x-amzn-errortype': 'TooManyRequestsException:' }, 'retry', 'TooManyRequestsException'],
    [400, { 'x-amzn-errortype': 'LimitExceededException:' }, 'retry', 'LimitExceededException'],
    [503, {}, 'retry', 'InternalError'],
    [400, { 'x-amzn-errortype': 'MessageRejected:' }, 'permanent', 'MessageRejected'],
    [400, { 'x-amzn-errortype': 'BadRequestException:' }, 'permanent', 'BadRequestException'],
  ])('answered %i %j is a %s (%s), after one attempt', async (status, headers, kind, error) => {
    // Prepare
    ses.replies = [
      {
        status,
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"message":"no"}',
      },
    ];

    // Act
    const outcome = await sendEmail(['a@example.com'], MESSAGE);

    // Assess
    expect(outcome).toEqual({ kind, error });
    expect(ses.seen).toHaveLength(1);
  });

  it('is tried later when SES does not answer', async () => {
    // Prepare: nothing listens on the discard port
    const saved = process.env.AWS_ENDPOINT_URL_SESV2;
    process.env.AWS_ENDPOINT_URL_SESV2 = 'http://127.0.0.1:9';

    // Act
    const outcome = await sendEmail(['a@example.com'], MESSAGE).finally(() => {
      process.env.AWS_ENDPOINT_URL_SESV2 = saved;
    });

    // Assess
    expect(outcome.kind).toBe('retry');
  });
});
