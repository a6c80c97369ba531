/** Request and paging limits, shared by the gateway, the handlers and the docs. */
export const LIMITS = {
  maxBodyBytes: 256 * 1024,
  pageSizeDefault: 25,
  pageSizeMax: 100,
  idempotencyTtlSeconds: 24 * 60 * 60,
  /** How long a change stays in the change feed (GET /v1/changes): at least 30 days, then TTL purges it. */
  changeFeedRetentionSeconds: 30 * 24 * 60 * 60,
  /** How long a notification stays in its user's inbox (GET /v1/notifications), read or not, before TTL purges it. */
  notificationRetentionSeconds: 90 * 24 * 60 * 60,
} as const;
