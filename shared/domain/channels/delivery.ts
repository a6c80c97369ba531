import { createHash } from 'node:crypto';
import { type ChannelKind, DELIVERY, PACING } from '../../config/channels.js';
import type { Department } from '../../config/departments.js';
import type { StoredDelivery } from '../../db/keys.js';
import type { ChangeDetail } from '../../events/change-events.js';
import type { Outcome } from './classify.js';
import type { Clock, Pacer } from './pacing.js';
import {
  type EmailMessage,
  type MessageInput,
  recordLink,
  renderEmail,
  renderSlack,
  renderWecom,
} from './render.js';
import {
  type ChannelFailure,
  configuredKinds,
  matchesChannelPatterns,
  type StoredChannels,
} from './settings.js';

/**
 * One event to one department's channels, exactly once per (event, channel): the delivery record is
 * claimed (a conditional write) before anything is sent, so a redelivered event finds it and sends
 * nothing again; a retry takes the record over only from the state it read. A failure worth retrying
 * leaves the record `retrying` with the time of the next attempt (the receiver's Retry-After, else
 * backoff), at most DELIVERY.maxAttempts attempts; a permanent refusal, or the last attempt, leaves it
 * `dead` (the consumer dead-letters the message), and a permanent refusal marks the channel failing.
 *
 * A sender that dies between the send and the record's update leaves a claim that expires: the next
 * receipt sends again (the one case of "at least once" left; a receiver has no idempotency key).
 */
export interface DeliveryPorts {
  settings(department: Department): Promise<StoredChannels | undefined>;
  read(eventId: string, department: Department, channel: ChannelKind): Promise<StoredDelivery | undefined>;
  /** The next state, if the record is still at `readRevision` (0: absent); false when it moved. */
  write(next: StoredDelivery, readRevision: number): Promise<boolean>;
  markFailing(department: Department, channel: ChannelKind, failure: ChannelFailure): Promise<void>;
  webhook(kind: 'slack' | 'wecom', url: string, message: unknown): Promise<Outcome>;
  email(to: readonly string[], message: EmailMessage): Promise<Outcome>;
  pacer: Pacer;
  clock: Clock;
}

export interface ChannelEvent {
  detailType: string;
  detail: ChangeDetail;
}

export type ChannelResult =
  | { channel: ChannelKind; result: 'sent' }
  /** Sent or dead-lettered before: nothing was done now. */
  | { channel: ChannelKind; result: 'done' }
  /** To be tried again, not before this many seconds. */
  | { channel: ChannelKind; result: 'later'; afterSeconds: number }
  | { channel: ChannelKind; result: 'dead'; error: string };

export interface DeliveryOptions {
  linkBase: string;
  /**
   * How long pacing may still wait in this invocation, asked before each channel (the sends before it
   * took their time); below 0, no time is left for a send at all: the message is handed back.
   */
  maxWaitMs: () => number;
}

/** The channels of `department` whose patterns match the event, each delivered at most once. */
export async function deliverEvent(
  event: ChannelEvent,
  department: Department,
  ports: DeliveryPorts,
  options: DeliveryOptions,
): Promise<ChannelResult[]> {
  const settings = await ports.settings(department);
  if (!settings || !matchesChannelPatterns(settings.events, event.detailType)) return [];
  const input: MessageInput = {
    detailType: event.detailType,
    detail: event.detail,
    department,
    link: recordLink(options.linkBase, event.detail.entity, event.detail.id),
  };
  const results: ChannelResult[] = [];
  for (const channel of configuredKinds(settings))
    results.push(await deliverToChannel(input, channel, settings, ports, options));
  return results;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Where pacing counts: one webhook (by a hash of its URL: the URL itself is kept nowhere), one mailbox list. */
function paceKey(channel: ChannelKind, settings: StoredChannels): string {
  const target = channel === 'email' ? settings.email!.to.join(',') : settings[channel]!.webhookUrl;
  return `${channel}:${createHash('sha256').update(target).digest('hex')}`;
}

function send(input: MessageInput, channel: ChannelKind, settings: StoredChannels, ports: DeliveryPorts) {
  switch (channel) {
    case 'slack':
      return ports.webhook('slack', settings.slack!.webhookUrl, renderSlack(input));
    case 'wecom':
      return ports.webhook('wecom', settings.wecom!.webhookUrl, renderWecom(input));
    case 'email':
      return ports.email(settings.email!.to, renderEmail(input));
  }
}

async function deliverToChannel(
  input: MessageInput,
  channel: ChannelKind,
  settings: StoredChannels,
  ports: DeliveryPorts,
  options: DeliveryOptions,
): Promise<ChannelResult> {
  const { eventId } = input.detail;
  const read = await ports.read(eventId, input.department, channel);
  if (read?.status === 'sent' || read?.status === 'dead') return { channel, result: 'done' };
  const now = ports.clock.now();
  const notBefore = read?.status === 'sending' ? read.claimedUntil : read?.nextAttemptAt;
  if (notBefore !== undefined && notBefore > now)
    return { channel, result: 'later', afterSeconds: seconds(notBefore - now) };

  // A send begun without the time to finish it would be cut off by the timeout after it was made,
  // before its record says so: the next receipt would send it again.
  const budget = options.maxWaitMs();
  if (budget < 0) return { channel, result: 'later', afterSeconds: 1 };
  // Pacing before the claim: a message handed back for pacing has not used an attempt.
  const wait = await ports.pacer.take(paceKey(channel, settings), PACING[channel], budget);
  if (wait > 0) return { channel, result: 'later', afterSeconds: seconds(wait) };

  const claimedAt = ports.clock.now();
  const claim: StoredDelivery = {
    eventId,
    department: input.department,
    channel,
    detailType: input.detailType,
    status: 'sending',
    attempts: (read?.attempts ?? 0) + 1,
    lastError: read?.lastError ?? null,
    at: new Date(claimedAt).toISOString(),
    claimedUntil: claimedAt + DELIVERY.claimSeconds * 1000,
    revision: read?.revision ?? 0,
  };
  // Another receipt of the same event claimed it first: it sends, this one does not.
  if (!(await ports.write(claim, claim.revision))) return { channel, result: 'later', afterSeconds: 1 };

  const outcome = await send(input, channel, settings, ports);
  const doneAt = ports.clock.now();
  const base = {
    ...claim,
    at: new Date(doneAt).toISOString(),
    claimedUntil: undefined,
    revision: claim.revision + 1,
  };
  if (outcome.kind === 'sent') {
    await ports.write({ ...base, status: 'sent', lastError: null }, claim.revision + 1);
    return { channel, result: 'sent' };
  }
  const dead = outcome.kind === 'permanent' || claim.attempts >= DELIVERY.maxAttempts;
  if (dead) {
    await ports.write({ ...base, status: 'dead', lastError: outcome.error }, claim.revision + 1);
    if (outcome.kind === 'permanent')
      await ports.markFailing(input.department, channel, { since: base.at, error: outcome.error });
    return { channel, result: 'dead', error: outcome.error };
  }
  const backoff = DELIVERY.backoffSeconds[claim.attempts - 1] ?? DELIVERY.backoffSeconds.at(-1)!;
  const after = outcome.retryAfterSeconds ?? backoff;
  await ports.write(
    { ...base, status: 'retrying', lastError: outcome.error, nextAttemptAt: doneAt + after * 1000 },
    claim.revision + 1,
  );
  return { channel, result: 'later', afterSeconds: after };
}
