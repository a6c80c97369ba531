import * as z from 'zod/mini';
import { CHANNEL_KINDS, type ChannelKind, WEBHOOK_ORIGINS, type WebhookKind } from '../../config/channels.js';
import { email } from '../fields.js';

/**
 * A department's channel settings (`PUT /v1/admin/channels/{dept}`): where its messages go and which
 * events it wants. Webhook URLs are secrets (anyone holding one can post to the channel): they are kept
 * in the table, used by the delivery consumer, and shown to no one (masked in answers, never logged).
 */

/** A detail-type (`case.escalated`) or every event of one entity (`handoff.*`). */
export const EVENT_PATTERN = /^[a-z][a-z_]*\.(\*|[a-z][a-z_]*)$/;

const webhook = z.strictObject({ webhookUrl: z.string().check(z.maxLength(2_048)) });

export const channelSettingsBody = z.strictObject({
  slack: z.optional(webhook),
  wecom: z.optional(webhook),
  email: z.optional(z.strictObject({ to: z.array(email()).check(z.minLength(1), z.maxLength(10)) })),
  events: z
    .array(z.string().check(z.regex(EVENT_PATTERN, 'must be a detail-type or an `entity.*` wildcard')))
    .check(z.minLength(1), z.maxLength(50)),
});
export type ChannelSettings = z.output<typeof channelSettingsBody>;

/** Why a channel is marked failing: a permanent error from its receiver, until the settings change. */
export interface ChannelFailure {
  since: string;
  error: string;
}

/** The settings as stored: what the admin set, and which channels failed for good since. */
export interface StoredChannels extends ChannelSettings {
  updatedAt: string;
  updatedBy: string;
  failing: Partial<Record<ChannelKind, ChannelFailure>>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * Why a webhook URL is refused, or undefined when it may be used: in AWS the service's own HTTPS origin
 * (and WeChat Work's send path with a `key`), nothing else; on the local stack also a loopback receiver,
 * `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`. Userinfo, other ports, other hosts (a
 * metadata address such as 169.254.169.254 included) and plain http elsewhere are refused.
 */
export function webhookUrlProblem(
  kind: WebhookKind,
  raw: string,
  allowLoopback: boolean,
): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'may not carry a user name or password';
  if (url.hash) return 'may not carry a fragment';
  if (allowLoopback && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.port !== '')
    return url.pathname.length > 1 ? undefined : 'needs a path';
  const expected = WEBHOOK_ORIGINS[kind];
  if (url.origin !== expected.origin || url.port !== '')
    return `must be a ${expected.origin}/… URL${allowLoopback ? ' (or http://127.0.0.1:<port>/… locally)' : ''}`;
  if (!expected.path.test(url.pathname))
    return `is not a ${kind === 'slack' ? 'Slack' : 'WeChat Work'} webhook path`;
  if (expected.query && !url.searchParams.get(expected.query))
    return `needs its ${expected.query}= parameter`;
  return undefined;
}

/** Every problem of the URLs in a settings body, by field path. */
export function settingsProblems(settings: ChannelSettings, allowLoopback: boolean) {
  const problems: { path: string; message: string }[] = [];
  for (const kind of ['slack', 'wecom'] as const) {
    const url = settings[kind]?.webhookUrl;
    const problem = url === undefined ? undefined : webhookUrlProblem(kind, url, allowLoopback);
    if (problem) problems.push({ path: `${kind}.webhookUrl`, message: problem });
  }
  return problems;
}

/** What GET shows of a webhook URL: its scheme, host (and port) and last 4 characters. */
export function maskWebhookUrl(raw: string): string {
  let origin: string;
  try {
    origin = new URL(raw).origin;
  } catch {
    return '…';
  }
  return `${origin}/…${raw.length > origin.length + 8 ? raw.slice(-4) : ''}`;
}

interface ChannelState {
  status: 'ok' | 'failing';
  failingSince?: string;
  lastError?: string;
}

export interface ChannelSettingsView {
  department: string;
  slack?: { webhookUrl: string } & ChannelState;
  wecom?: { webhookUrl: string } & ChannelState;
  email?: { to: string[] } & ChannelState;
  events: string[];
  updatedAt: string | null;
}

/** The settings as `GET` answers them: URLs masked, each channel's state. */
export function settingsView(department: string, stored: StoredChannels | undefined): ChannelSettingsView {
  const state = (kind: ChannelKind) => (stored?.failing[kind] ? ('failing' as const) : ('ok' as const));
  const hook = (kind: WebhookKind) => {
    const url = stored?.[kind]?.webhookUrl;
    if (url === undefined) return {};
    return { [kind]: { webhookUrl: maskWebhookUrl(url), status: state(kind), ...failureOf(stored, kind) } };
  };
  return {
    department,
    ...hook('slack'),
    ...hook('wecom'),
    ...(stored?.email
      ? { email: { to: stored.email.to, status: state('email'), ...failureOf(stored, 'email') } }
      : {}),
    events: stored?.events ?? [],
    updatedAt: stored?.updatedAt ?? null,
  };
}

const failureOf = (stored: StoredChannels | undefined, kind: ChannelKind) => {
  const failure = stored?.failing[kind];
  return failure ? { failingSince: failure.since, lastError: failure.error } : {};
};

/** The channels a settings object configures, in a fixed order. */
export function configuredKinds(settings: ChannelSettings): ChannelKind[] {
  return CHANNEL_KINDS.filter((kind) => settings[kind] !== undefined);
}

/** Whether an event's detail-type matches one of the patterns. */
export function matchesChannelPatterns(patterns: readonly string[], detailType: string): boolean {
  const entity = detailType.split('.')[0];
  return patterns.some((p) => p === detailType || p === `${entity}.*`);
}
