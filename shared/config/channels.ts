/**
 * Channels (Slack, WeChat Work, email): the kinds, what each receiver takes, how fast, and how often a
 * delivery is tried. The one place: the delivery consumer, the settings routes, the local receivers,
 * CDK and the docs (docs/channels.md) read these.
 */
export const CHANNEL_KINDS = ['slack', 'wecom', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const WEBHOOK_KINDS = ['slack', 'wecom'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/** Where webhooks may point in AWS: the services' own hosts only (no requests to arbitrary hosts). */
export const WEBHOOK_ORIGINS: Record<WebhookKind, { origin: string; path: RegExp; query?: string }> = {
  slack: { origin: 'https://hooks.slack.com', path: /^\/[^?#]+$/ },
  wecom: { origin: 'https://qyapi.weixin.qq.com', path: /^\/cgi-bin\/webhook\/send$/, query: 'key' },
};

/** Message size limits of the receivers: Slack's `text` in characters, WeChat Work's markdown in bytes. */
export const MESSAGE_LIMITS = { slackChars: 40_000, wecomBytes: 4_096 } as const;

/** At most `count` messages per `windowMs` to one webhook (WeChat Work: 20 a minute; Slack: 1 a second). */
export const PACING: Record<ChannelKind, { count: number; windowMs: number }> = {
  slack: { count: 1, windowMs: 1_000 },
  wecom: { count: 20, windowMs: 60_000 },
  // SES's default sending rate in a new account is 1 a second per account; one address at a time here.
  email: { count: 1, windowMs: 1_000 },
};

export const DELIVERY = {
  /** Attempts per (event, channel), the first included; then dead-lettered. */
  maxAttempts: 5,
  /** Wait before attempt n+1 (seconds), unless the receiver said how long (Slack's Retry-After). */
  backoffSeconds: [2, 6, 18, 54] as readonly number[],
  /** A receiver that has not answered by then counts as a timeout (retried). */
  requestTimeoutMs: 5_000,
  /** A claim on a delivery ("sending") older than this is taken over: its sender died mid-send. */
  claimSeconds: 60,
  /** Records per page of `GET /v1/admin/channels/{dept}/deliveries`. */
  pageSize: 25,
} as const;

/** The sender of channel emails (an SES identity in AWS: docs/channels.md). */
export const DEFAULT_EMAIL_FROM = 'notifications@concord-crm.example';

/** A delivery record's states: claimed and on its way, sent, to be tried again, given up (dead-lettered). */
export const DELIVERY_STATUSES = ['sending', 'sent', 'retrying', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The delivery consumer (functions/queues/deliver-channels.ts) of every department's queue: what it may
 * touch (its environment follows, shared/config/env.ts), and its event source mapping's settings, read by
 * CDK (infra/constructs/channels.ts) and by the local queue poller (infra/local/local-queue.ts) alike.
 */
export const DELIVERY_CONSUMER = {
  entry: 'functions/queues/deliver-channels.ts',
  grants: { table: true, webhooks: true, email: true, channelQueues: true },
  timeoutSeconds: 25,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  /** The consumer answers `batchItemFailures`: the messages handed back for later, the rest deleted. */
  reportBatchItemFailures: true,
  /**
   * Concurrent invocations per department queue, SQS's minimum: pacing is counted in each instance's
   * memory, so fewer instances keep a burst closer to the receivers' rates.
   */
  maxConcurrency: 2,
  /**
   * SQS moves a message that was received this often to the dead-letter queue (the inboxes' redrive):
   * a backstop for a message the consumer cannot handle at all. The consumer dead-letters a channel
   * itself after its attempts; every receive uses up an attempt of at least one channel, except those
   * handed back for pacing or a lost claim, so each channel gets all its attempts before SQS gives up.
   */
  maxReceiveCount: CHANNEL_KINDS.length * DELIVERY.maxAttempts + 5,
} as const;
