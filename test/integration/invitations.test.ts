import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { COGNITO_INVITATION } from '../../infra/local/engines/cognito-mail.js';
import { as, stack } from '../support/stack.js';

/**
 * Invitations on the local stack (docs/identity.md): an admin's invite goes, as Cognito's own email
 * would in AWS, through the SES v2 API to the local mailbox, with the username and the temporary
 * password (the one the answer hands over too); a refused invite sends nothing.
 */
interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}
type Invited = { username: string; email: string; groups: string[]; temporaryPassword?: string };

const PATIENCE_MS = 15_000;
const suffix = randomBytes(4).toString('hex');
let ada: ApiClient;

async function mailTo(address: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(stack().email.storeUrl)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

/** The mail to `address`, once some is there. */
async function waitForMail(address: string): Promise<StoredEmail[]> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    const mail = await mailTo(address);
    if (mail.length > 0) return mail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation to ${address} within ${PATIENCE_MS} ms`);
}

beforeAll(async () => {
  ada = await as('ada');
});

describe('an invitation on the local stack', () => {
  it('lands in the local mailbox once, as Cognito’s email, with the username and the temporary password', async () => {
    // Prepare
    const username = `invitee-${suffix}`;
    const email = `${username}@invite.concord.local`;

    // Act
    const res = await ada.post<Invited>('/v1/admin/users', { username, email, groups: ['support'] });
    const mail = await waitForMail(email);

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ username, email, groups: ['support'] });
    const password = res.body.temporaryPassword!;
    expect(password).toMatch(/.{12,}/);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      from: COGNITO_INVITATION.from,
      destination: { to: [email] },
      subject: COGNITO_INVITATION.subject,
    });
    expect(mail[0]!.body.text).toBe(COGNITO_INVITATION.message(username, password));
    expect(mail[0]!.body.html).toContain(`Your username is ${username}`);
    expect(mail[0]!.body.html).toContain(password);
  });

  it('is not sent for an invite that fails (a taken username)', async () => {
    // Prepare
    const username = `invitee-taken-${suffix}`;
    const first = `${username}@invite.concord.local`;
    const second = `${username}-again@invite.concord.local`;
    expect(
      (await ada.post('/v1/admin/users', { username, email: first, groups: ['marketing'] })).status,
    ).toBe(201);
    await waitForMail(first);

    // Act: the stand-in sends before it answers, so by the 409 a mail would be in the store already
    const again = await ada.post('/v1/admin/users', { username, email: second, groups: ['marketing'] });

    // Assess
    expect(again.status).toBe(409);
    expect(await mailTo(second)).toEqual([]);
    expect(await mailTo(first)).toHaveLength(1);
  });
});
