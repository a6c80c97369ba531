/** Request and paging limits, shared by the gateway, the handlers and the docs. */
export const LIMITS = {
  maxBodyBytes: 256 * 1024,
  pageSizeDefault: 25,
  pageSizeMax: 100,
  idempotencyTtlSeconds: 24 * 60 * 60,
} as const;
