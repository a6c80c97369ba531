/**
 * What a receiver's answer means for a delivery: sent, worth another try later (rate limits, server
 * errors, timeouts), or a permanent refusal (a bad or revoked webhook: trying again cannot help). The
 * error kept is the receiver's short code, never the URL or the message.
 */
export type Outcome =
  | { kind: 'sent' }
  | { kind: 'retry'; error: string; retryAfterSeconds?: number }
  | { kind: 'permanent'; error: string };

/** A short, single-line excerpt of a receiver's answer (error codes are short). */
const excerpt = (body: string) => body.replace(/\s+/g, ' ').trim().slice(0, 120) || '(empty answer)';

/** Slack answers `Retry-After` in seconds with its 429. */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (!header || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/**
 * Slack incoming webhooks: 200 `ok`; 429 with Retry-After; 5xx; and 400/403/404/410 with a code such as
 * `invalid_payload`, `no_service`, `channel_is_archived`, `action_prohibited`, which no retry fixes.
 */
export function classifySlack(status: number, body: string, retryAfter?: string | null): Outcome {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const error = `HTTP ${status} ${excerpt(body)}`;
  if (status === 429) return { kind: 'retry', error, retryAfterSeconds: retryAfterSeconds(retryAfter) };
  if (status >= 500 || status === 408) return { kind: 'retry', error };
  return { kind: 'permanent', error };
}

/** WeChat Work codes worth another try: -1 (system busy) and 45009 (the webhook's rate limit). */
const WECOM_RETRY = new Set([-1, 45009]);

/**
 * WeChat Work group-robot webhooks answer HTTP 200 even when they refuse: the JSON `errcode` decides,
 * and only 0 is success. 93000 (invalid webhook key) and the other codes are permanent.
 */
export function classifyWecom(status: number, body: string): Outcome {
  if (status === 429 || status >= 500 || status === 408) return { kind: 'retry', error: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { kind: 'permanent', error: `HTTP ${status} ${excerpt(body)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'retry', error: 'answer is not JSON' };
  }
  const answer: { errcode?: unknown; errmsg?: unknown } =
    typeof parsed === 'object' && parsed !== null ? parsed : {};
  const code = typeof answer.errcode === 'number' ? answer.errcode : Number.NaN;
  if (code === 0) return { kind: 'sent' };
  const error = `errcode ${Number.isNaN(code) ? '(none)' : code} ${excerpt(String(answer.errmsg ?? ''))}`;
  return WECOM_RETRY.has(code) ? { kind: 'retry', error } : { kind: 'permanent', error };
}

/** SES v2 errors that a later try may get past: throttling and the service's own trouble. */
const SES_RETRY = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);

/** `status` is the HTTP status of SES's answer; none when no answer came (a timeout, a refused connection). */
export function classifySesError(error: { name?: string; status?: number }): Outcome {
  const name = error.name ?? 'Error';
  const status = error.status;
  if (SES_RETRY.has(name) || status === undefined || status >= 500) return { kind: 'retry', error: name };
  return { kind: 'permanent', error: name };
}

/** A request that got no answer (timeout, refused connection): the network's code only, no URL. */
export function classifyNetworkError(error: unknown): Outcome {
  const e = error as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'retry', error: 'timeout' };
  return { kind: 'retry', error: `no answer (${e.cause?.code ?? e.name ?? 'network error'})` };
}
