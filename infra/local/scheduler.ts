import awsCronParser from 'aws-cron-parser';

/**
 * EventBridge Scheduler, locally: the same `rate(...)` and `cron(...)` expressions as the deployed
 * schedules (UTC), each firing its target with the schedule's input.
 */
const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** When the expression fires next, strictly after `after`. */
export function nextFire(expression: string, after: Date): Date {
  const rate = RATE.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    if (n < 1 || (n === 1) !== !rate[2]!.endsWith('s')) throw new Error(`bad rate expression: ${expression}`);
    return new Date(after.getTime() + n * UNIT_MS[unit]);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`not a schedule expression: ${expression}`);
  // The parser already answers the first fire time strictly after its start.
  const next = awsCronParser.next(awsCronParser.parse(cron[1]!), after);
  if (!next) throw new Error(`cron expression never fires: ${expression}`);
  return next;
}

export interface Scheduled {
  name: string;
  expression: string;
  fire: (at: Date) => Promise<void>;
}

export interface LocalScheduler {
  /** Next fire time of each schedule. */
  upcoming(): { name: string; at: Date }[];
  stop(): void;
}

export function startScheduler(
  schedules: readonly Scheduled[],
  log?: (msg: string) => void,
  now = () => new Date(),
): LocalScheduler {
  const timers = new Map<string, { at: Date; timer: NodeJS.Timeout }>();
  let stopped = false;
  /** Waits for `at` (in steps, as timers cap at ~24.8 days), fires, then arms the next time. */
  const arm = (s: Scheduled, at: Date) => {
    if (stopped) return;
    const delay = Math.min(at.getTime() - now().getTime(), 2 ** 31 - 1);
    const timer = setTimeout(
      () => {
        if (now() < at) return arm(s, at);
        s.fire(at).catch((error: unknown) => log?.(`schedule ${s.name} failed: ${(error as Error).message}`));
        arm(s, nextFire(s.expression, at));
      },
      Math.max(0, delay),
    );
    timer.unref();
    timers.set(s.name, { at, timer });
  };
  for (const s of schedules) arm(s, nextFire(s.expression, now()));
  return {
    upcoming: () => [...timers].map(([name, t]) => ({ name, at: t.at })),
    stop: () => {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t.timer);
    },
  };
}
