/**
 * What docs/api.md "Errors" promises of every error reply: `application/problem+json`, a body with
 * `type`, `title`, `status` (= the HTTP status) and `detail`, and nothing internal in it.
 */
export interface RawReply {
  /** 0 when no HTTP reply came back at all (`text` then says why). */
  status: number;
  contentType: string | null;
  text: string;
}

/** Text that only an internal error shows: stack frames, module paths, SDK/engine names. */
export const LEAK_MARKERS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'stack frame', pattern: /(^|\n|\\n)\s*at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)|\.(ts|js|mjs|cjs):\d+:\d+/ },
  { name: 'node_modules', pattern: /node_modules/ },
  { name: 'Exception', pattern: /Exception/ },
  { name: 'DynamoDB', pattern: /DynamoDB/ },
  { name: '/work/', pattern: /\/work\// },
];

/**
 * The ways this reply breaks the error contract, empty when it keeps it. `echoed` is the request's
 * own text: a marker the client sent itself (an unknown field called `Exception`, say) may come
 * back in `errors[].path` without being a leak.
 */
export function problemViolations(reply: RawReply, echoed = ''): string[] {
  const out: string[] = [];
  if (reply.status === 0) return [reply.text];
  if (reply.status >= 500) out.push(`5xx (${reply.status})`);
  else if (reply.status < 400) out.push(`not an error (${reply.status})`);
  if (!reply.contentType?.toLowerCase().startsWith('application/problem+json')) {
    out.push(`content-type ${reply.contentType ?? '(none)'}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    out.push('body is not JSON');
  }
  if (body !== undefined) {
    const b = body as Record<string, unknown>;
    const shapeOk =
      typeof body === 'object' &&
      body !== null &&
      typeof b.type === 'string' &&
      typeof b.title === 'string' &&
      typeof b.detail === 'string' &&
      typeof b.status === 'number';
    if (!shapeOk) out.push('body lacks type/title/status/detail');
    else if (b.status !== reply.status) out.push(`body status ${String(b.status)} ≠ HTTP ${reply.status}`);
    if (b.errors !== undefined) {
      const errorsOk =
        Array.isArray(b.errors) &&
        b.errors.every(
          (e: unknown) =>
            typeof e === 'object' &&
            e !== null &&
            typeof (e as Record<string, unknown>).path === 'string' &&
            typeof (e as Record<string, unknown>).message === 'string',
        );
      if (!errorsOk) out.push('errors is not [{ path, message }]');
    }
  }
  for (const marker of LEAK_MARKERS) {
    if (marker.pattern.test(reply.text) && !marker.pattern.test(echoed)) out.push(`leaks ${marker.name}`);
  }
  return out;
}
