/**
 * What cognito-local leaves out: the invitation email. In AWS, AdminCreateUser asked to deliver by email
 * makes Cognito email the new user their username and temporary password (the pool keeps Cognito's
 * default invitation and sender: docs/identity.md); cognito-local only prints that message to its log.
 * This stand-in sits between the handlers and cognito-local: it forwards every call as it is and, once an
 * AdminCreateUser that asks for an email invitation has succeeded, sends Cognito's message through the
 * SES v2 API to the local SES (aws-ses-v2-local), the mailbox where the channel emails land too.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { localAwsConfig } from './local-aws.js';
import { freePort, type Logger, silentLogger } from './processes.js';

/** Cognito's default invitation (AdminCreateUserConfig.InviteMessageTemplate unset, no SES configuration). */
export const COGNITO_INVITATION = {
  from: 'no-reply@verificationemail.com',
  subject: 'Your temporary password',
  message: (username: string, password: string) =>
    `Your username is ${username} and temporary password is ${password}.`,
} as const;

export interface CognitoMail {
  /** Where the handlers' Cognito client points (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  endpoint: string;
  /** The local SES v2 endpoint: invitations sent before it is set are only logged. */
  useMailbox(sesEndpoint: string): void;
  stop(): Promise<void>;
}

const TARGET_HEADER = 'x-amz-target';
/** Hop-by-hop headers: each connection's own, and fetch refuses some of them. */
const NOT_FORWARDED = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'expect',
  'upgrade',
  'te',
  'trailer',
]);
const CREATE_USER = 'AWSCognitoIdentityProviderService.AdminCreateUser';

interface CreateUserRequest {
  Username?: string;
  UserAttributes?: { Name: string; Value?: string }[];
  TemporaryPassword?: string;
  MessageAction?: string;
  DesiredDeliveryMediums?: string[];
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Where Cognito would email the invitation: asked for by email, not suppressed, to the user's address. */
function invitationAddress(request: CreateUserRequest): string | undefined {
  if (request.MessageAction === 'SUPPRESS' || !request.DesiredDeliveryMediums?.includes('EMAIL')) return;
  return request.UserAttributes?.find((a) => a.Name === 'email')?.Value;
}

export async function startCognitoMail(opts: {
  cognitoEndpoint: string;
  log?: Logger;
}): Promise<CognitoMail> {
  const log = opts.log ?? silentLogger;
  let ses: SESv2Client | undefined;

  const invite = async (to: string, username: string, password: string) => {
    if (!ses) return log(`cognito-mail: no mailbox yet, the invitation of ${username} was not sent`);
    const text = COGNITO_INVITATION.message(username, password);
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: COGNITO_INVITATION.from,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: COGNITO_INVITATION.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: text, Charset: 'UTF-8' },
              Html: { Data: `<p>${text}</p>`, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
  };

  const server: Server = createServer(async (req, res) => {
    try {
      let body = await readBody(req);
      const target = String(req.headers[TARGET_HEADER] ?? '');
      let invitation: { to: string; username: string; password: string } | undefined;
      if (target === CREATE_USER) {
        const request = JSON.parse(body.toString('utf8') || '{}') as CreateUserRequest;
        const to = invitationAddress(request);
        if (to && request.Username) {
          // Cognito makes one when the caller gives none; making it here lets the message carry it.
          request.TemporaryPassword ??= `Tmp-${randomBytes(12).toString('base64url')}9a!`;
          invitation = { to, username: request.Username, password: request.TemporaryPassword };
          body = Buffer.from(JSON.stringify(request));
        }
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) =>
          NOT_FORWARDED.has(k) || v === undefined ? [] : [[k, String(v)]],
        ),
      );
      const answer = await fetch(`${opts.cognitoEndpoint}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const payload = Buffer.from(await answer.arrayBuffer());
      if (invitation && answer.ok) {
        await invite(invitation.to, invitation.username, invitation.password).catch((error: unknown) =>
          log(`cognito-mail: the invitation of ${invitation.username} failed: ${(error as Error).message}`),
        );
      }
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(payload);
    } catch (error) {
      log(`cognito-mail: ${(error as Error).message}`);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalErrorException', message: 'cognito-local did not answer' }));
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    useMailbox: (sesEndpoint) => {
      ses = new SESv2Client({ ...localAwsConfig(sesEndpoint), maxAttempts: 1 });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        ses?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
