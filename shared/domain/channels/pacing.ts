/**
 * Pacing per receiver: at most `count` sends in any `windowMs` (a sliding window), so a burst of events
 * never trips a receiver's rate limit (WeChat Work: 20 a minute per webhook). The clock is injected, so
 * tests run minutes of sends in no time; the delivery consumer uses the real one.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Rate {
  count: number;
  windowMs: number;
}

export class Pacer {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** How long until one more send to `key` stays within the rate (0: now). */
  delayFor(key: string, rate: Rate): number {
    const now = this.clock.now();
    const recent = (this.sent.get(key) ?? []).filter((t) => t > now - rate.windowMs);
    this.sent.set(key, recent);
    if (recent.length < rate.count) return 0;
    return recent[recent.length - rate.count]! + rate.windowMs - now;
  }

  /**
   * Waits for the receiver's next free slot and takes it; returns 0. When the wait would be longer than
   * `maxWaitMs` (the time the caller has left), takes nothing and returns how long to come back after.
   */
  async take(key: string, rate: Rate, maxWaitMs = Number.POSITIVE_INFINITY): Promise<number> {
    for (;;) {
      const delay = this.delayFor(key, rate);
      if (delay === 0) {
        this.sent.get(key)!.push(this.clock.now());
        return 0;
      }
      if (delay > maxWaitMs) return delay;
      await this.clock.sleep(delay);
    }
  }
}
