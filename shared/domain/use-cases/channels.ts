import { type ChannelKind, DELIVERY, type DeliveryStatus } from '../../config/channels.js';
import { type Department, isDepartment } from '../../config/departments.js';
import { readChannelSettings, readDeliveries, saveChannelSettings } from '../../db/channels-repo.js';
import { openCursor, signCursor } from '../../db/cursor.js';
import { serverCursorKeys } from '../../db/cursor-secret.js';
import type { StoredDelivery } from '../../db/keys.js';
import type { Caller } from '../../policy/caller.js';
import { canAdminister } from '../../policy/policy.js';
import type { Outcome } from '../channels/classify.js';
import { testMessages } from '../channels/render.js';
import {
  type ChannelSettings,
  channelSettingsBody,
  configuredKinds,
  settingsProblems,
  settingsView,
} from '../channels/settings.js';
import { fail } from '../errors.js';
import { validate } from '../validation.js';

/** The senders the test route uses (shared/channels/senders.ts), passed in: use cases know no transport. */
export interface ChannelSenders {
  webhook(kind: 'slack' | 'wecom', url: string, message: unknown): Promise<Outcome>;
  email(to: readonly string[], message: { subject: string; text: string; html: string }): Promise<Outcome>;
}

export interface DeliveriesQuery {
  status?: DeliveryStatus;
  limit: number;
  cursor?: string;
}

/** Channel settings are integration settings: the admins' alone. A name that is no department: 404. */
function adminOfDepartment(caller: Caller, department: string | undefined): Department {
  if (!canAdminister(caller)) throw fail.forbidden('Only admins manage channels.');
  if (!department || !isDepartment(department)) throw fail.notFound('No such department.');
  return department;
}

export async function putChannelsUseCase(
  caller: Caller,
  department: string | undefined,
  body: unknown,
  allowLoopback: boolean,
) {
  const dept = adminOfDepartment(caller, department);
  const valid = validate(channelSettingsBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = settingsProblems(valid.value, allowLoopback);
  if (problems.length) throw fail.invalid(problems, 'The request body is invalid.');
  const settings: ChannelSettings = valid.value;
  const stored = {
    ...settings,
    events: [...new Set(settings.events)],
    updatedAt: new Date().toISOString(),
    updatedBy: caller.userId,
    // New settings start with no failure mark: the admin fixed (or replaced) what failed.
    failing: {},
  };
  await saveChannelSettings(dept, stored);
  return settingsView(dept, stored);
}

export async function getChannelsUseCase(caller: Caller, department: string | undefined) {
  const dept = adminOfDepartment(caller, department);
  return settingsView(dept, await readChannelSettings(dept));
}

/** Sends a test message to each configured channel, now (no pacing, no retry) and says how each went. */
export async function testChannelsUseCase(
  caller: Caller,
  department: string | undefined,
  senders: ChannelSenders,
) {
  const dept = adminOfDepartment(caller, department);
  const settings = await readChannelSettings(dept);
  const kinds = settings ? configuredKinds(settings) : [];
  if (!settings || kinds.length === 0) throw fail.conflict(`No channel is configured for ${dept}.`);
  const messages = testMessages(dept);
  const results = await Promise.all(
    kinds.map(async (channel: ChannelKind) => {
      const outcome =
        channel === 'email'
          ? await senders.email(settings.email!.to, messages.email)
          : await senders.webhook(channel, settings[channel]!.webhookUrl, messages[channel]);
      return outcome.kind === 'sent'
        ? { channel, outcome: 'sent' as const }
        : { channel, outcome: 'failed' as const, retryable: outcome.kind === 'retry', error: outcome.error };
    }),
  );
  return { department: dept, results };
}

const deliveriesScope = (department: string, status: string | undefined) =>
  JSON.stringify(['channel-deliveries', department, status ?? '']);

const view = (d: StoredDelivery) => ({
  eventId: d.eventId,
  channel: d.channel,
  status: d.status,
  detailType: d.detailType,
  attempts: d.attempts,
  lastError: d.lastError,
  at: d.at,
});

export async function listDeliveriesUseCase(
  caller: Caller,
  department: string | undefined,
  query: DeliveriesQuery,
) {
  const dept = adminOfDepartment(caller, department);
  const keys = await serverCursorKeys();
  const scope = deliveriesScope(dept, query.status);
  const position = query.cursor === undefined ? undefined : openCursor(keys, scope, query.cursor);
  if (query.cursor !== undefined && (!position?.at || !position.eventId || !position.channel))
    throw fail.invalid(
      [{ path: 'cursor', message: 'is not a cursor this list gave out' }],
      'The query parameters are invalid.',
    );
  const after = position
    ? ({
        at: position.at,
        eventId: position.eventId,
        channel: position.channel,
        department: dept,
      } as StoredDelivery)
    : undefined;
  const page = await readDeliveries(dept, { status: query.status, limit: query.limit, after });
  const last = page.items.at(-1);
  const nextCursor =
    page.more && last
      ? signCursor(keys, scope, { at: last.at, eventId: last.eventId, channel: last.channel })
      : null;
  return { items: page.items.map(view), nextCursor };
}

export const DELIVERIES_PAGE_DEFAULT = DELIVERY.pageSize;
