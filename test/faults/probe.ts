/**
 * A client with a client's patience: one request every `intervalMs` while a fault is on, each given
 * at most PATIENCE_MS to answer. It records what a caller would see: the status (0 when nothing came
 * back in time), whether a 503 carried Retry-After and a problem body, and how long it took.
 */
export const PATIENCE_MS = 5_000;

export interface Sighting {
  /** ms since the probe started. */
  at: number;
  status: number;
  ms: number;
  retryAfter: string | null;
  problem: boolean;
}

export interface Probe {
  sightings: Sighting[];
  /** Resolves once a sighting satisfies `test` (after `from`, ms since start), or rejects at the deadline. */
  waitFor(test: (s: Sighting) => boolean, from: number, timeoutMs: number, what: string): Promise<Sighting>;
  elapsed(): number;
  stop(): Promise<void>;
}

export function startProbe(url: string, token: string, intervalMs = 100): Probe {
  const began = Date.now();
  const sightings: Sighting[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now() - began;
      const t = performance.now();
      let sighting: Sighting;
      try {
        const res = await fetch(url, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(PATIENCE_MS),
        });
        await res.arrayBuffer();
        sighting = {
          at,
          status: res.status,
          ms: performance.now() - t,
          retryAfter: res.headers.get('retry-after'),
          problem: (res.headers.get('content-type') ?? '').startsWith('application/problem+json'),
        };
      } catch {
        sighting = { at, status: 0, ms: performance.now() - t, retryAfter: null, problem: false };
      }
      sightings.push(sighting);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    sightings,
    elapsed: () => Date.now() - began,
    waitFor: async (test, from, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = sightings.find((s) => s.at >= from && test(s));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Polls `check` until it holds, or throws at the deadline: conditions, never fixed waits. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
