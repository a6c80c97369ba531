import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type LocalScheduler,
  nextFire,
  type Scheduled,
  startScheduler,
} from '../../infra/local/scheduler.js';

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('nextFire: rate expressions', () => {
  it.each<[string, number]>([
    ['rate(5 minutes)', 5 * MINUTE],
    ['rate(1 minute)', MINUTE],
    ['rate(1 hour)', 60 * MINUTE],
    ['rate(2 hours)', 120 * MINUTE],
    ['rate(1 day)', DAY],
    ['rate(7 days)', 7 * DAY],
    ['  rate(5 minutes)  ', 5 * MINUTE],
  ])('%s fires one period after the start', (expression, period) => {
    // Prepare
    const after = at('2025-03-10T07:03:20.000Z');

    // Act
    const next = nextFire(expression, after);

    // Assess
    expect(next.getTime() - after.getTime()).toBe(period);
  });

  it.each([
    'rate(1 hours)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(-5 minutes)',
    'rate(1.5 hours)',
    'rate(5 seconds)',
    'rate(5 weeks)',
    'rate(minutes)',
    'rate 5 minutes',
  ])('refuses %s', (expression) => {
    // Act
    const attempt = () => nextFire(expression, at('2025-03-10T07:00:00.000Z'));

    // Assess
    expect(attempt).toThrow();
  });
});

describe('nextFire: cron expressions (UTC)', () => {
  it.each<[string, string, string]>([
    ['cron(0 6 * * ? *)', '2025-03-10T05:30:00.000Z', '2025-03-10T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2025-03-10T06:00:00.000Z', '2025-03-11T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2025-03-10T06:00:00.001Z', '2025-03-11T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2025-03-10T23:59:59.000Z', '2025-03-11T06:00:00.000Z'],
    ['cron(0 6 * * ? *)', '2025-12-31T07:00:00.000Z', '2026-01-01T06:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2025-03-10T07:00:00.000Z', '2025-03-10T07:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2025-03-10T07:07:00.000Z', '2025-03-10T07:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2025-03-10T07:45:00.000Z', '2025-03-10T08:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2025-03-10T23:50:00.000Z', '2025-03-11T00:00:00.000Z'],
    ['cron(0 6 ? * MON *)', '2025-03-10T07:00:00.000Z', '2025-03-17T06:00:00.000Z'],
  ])('%s after %s fires at %s', (expression, after, expected) => {
    // Act
    const next = nextFire(expression, at(after));

    // Assess
    expect(next.toISOString()).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['cron(0 6 * * ? *)', '2025-03-10T05:59:59.999Z', '2025-03-10T06:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2025-03-10T07:14:59.999Z', '2025-03-10T07:15:00.000Z'],
  ])(
    '%s one millisecond before a fire time (%s) fires at %s, not one period later',
    (expression, after, expected) => {
      // Act
      const next = nextFire(expression, at(after));

      // Assess
      expect(next.toISOString()).toBe(expected);
    },
  );

  it('fires strictly after its start, always', () => {
    // Prepare
    const starts = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2025, 2, 10, 5, 59) + i * 997));

    // Act
    const fires = starts.map((s) => nextFire('cron(0 6 * * ? *)', s));

    // Assess
    for (const [i, fire] of fires.entries()) {
      expect(fire.getTime()).toBeGreaterThan(starts[i]!.getTime());
      expect(fire.getTime() - starts[i]!.getTime()).toBeLessThanOrEqual(DAY);
    }
  });

  it.each(['garbage', 'cron()', 'cron(banana)', 'cron(0 6 * *)', 'cron(61 6 * * ? *)', ''])(
    'refuses %o',
    (expression) => {
      // Act
      const attempt = () => nextFire(expression, at('2025-03-10T07:00:00.000Z'));

      // Assess
      expect(attempt).toThrow();
    },
  );
});

describe('startScheduler', () => {
  let scheduler: LocalScheduler | undefined;
  afterEach(() => {
    scheduler?.stop();
    scheduler = undefined;
    vi.useRealTimers();
  });

  const START = Date.UTC(2025, 2, 10, 7, 0, 30);
  /** The fake clock: vi.useFakeTimers moves Date.now with the timers. */
  const fakeNow = () => new Date(Date.now());

  it('fires a rate(1 minute) schedule every minute and re-arms it', async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const fired: Date[] = [];
    const schedules: Scheduled[] = [
      { name: 'tick', expression: 'rate(1 minute)', fire: async (when) => void fired.push(when) },
    ];
    scheduler = startScheduler(schedules, undefined, fakeNow);
    const first = scheduler.upcoming();

    // Act
    await vi.advanceTimersByTimeAsync(MINUTE);
    const second = scheduler.upcoming();
    await vi.advanceTimersByTimeAsync(2 * MINUTE);

    // Assess
    expect(first).toEqual([{ name: 'tick', at: new Date(START + MINUTE) }]);
    expect(second).toEqual([{ name: 'tick', at: new Date(START + 2 * MINUTE) }]);
    expect(fired).toEqual([START + MINUTE, START + 2 * MINUTE, START + 3 * MINUTE].map((t) => new Date(t)));
    expect(scheduler.upcoming()[0]?.at).toEqual(new Date(START + 4 * MINUTE));
  });

  it('fires a cron schedule at its UTC times', async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const fired: string[] = [];
    scheduler = startScheduler(
      [
        {
          name: 'q',
          expression: 'cron(0/15 * * * ? *)',
          fire: async (when) => void fired.push(when.toISOString()),
        },
      ],
      undefined,
      fakeNow,
    );

    // Act
    await vi.advanceTimersByTimeAsync(31 * MINUTE);

    // Assess
    expect(fired).toEqual(['2025-03-10T07:15:00.000Z', '2025-03-10T07:30:00.000Z']);
    expect(scheduler.upcoming()[0]?.at.toISOString()).toBe('2025-03-10T07:45:00.000Z');
  });

  it('keeps firing after a failed run, and logs the failure', async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const log = vi.fn<(msg: string) => void>();
    const fire = vi.fn<(when: Date) => Promise<void>>(async () => {
      throw new Error('bucket unavailable');
    });
    scheduler = startScheduler([{ name: 'report', expression: 'rate(1 minute)', fire }], log, fakeNow);

    // Act
    await vi.advanceTimersByTimeAsync(2 * MINUTE);

    // Assess
    expect(fire).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('report'));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('bucket unavailable'));
  });

  it('fires nothing once stopped', async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const fire = vi.fn<(when: Date) => Promise<void>>(async () => undefined);
    scheduler = startScheduler([{ name: 'tick', expression: 'rate(1 minute)', fire }], undefined, fakeNow);

    // Act
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(5 * MINUTE);

    // Assess
    expect(fire).not.toHaveBeenCalled();
  });

  it('fires a schedule further out than the timer cap (rate(30 days)) after 30 days', async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const fired: Date[] = [];
    scheduler = startScheduler(
      [{ name: 'monthly', expression: 'rate(30 days)', fire: async (when) => void fired.push(when) }],
      undefined,
      fakeNow,
    );

    // Act
    await vi.advanceTimersByTimeAsync(31 * DAY);

    // Assess
    expect(fired).toEqual([new Date(START + 30 * DAY)]);
    expect(scheduler.upcoming()[0]?.at).toEqual(new Date(START + 60 * DAY));
  });

  it('keeps a rate schedule on time when its timer wakes a little before the clock says it is due', async () => {
    // Prepare: the wall clock steps back 5 ms after the schedule is armed (as an NTP correction does).
    vi.useFakeTimers({ now: START });
    let lag = 0;
    const steppedClock = () => new Date(Date.now() - lag);
    const fired: Date[] = [];
    scheduler = startScheduler(
      [{ name: 'tick', expression: 'rate(1 minute)', fire: async (when) => void fired.push(when) }],
      undefined,
      steppedClock,
    );
    lag = 5;

    // Act
    await vi.advanceTimersByTimeAsync(MINUTE + 100);

    // Assess: due at START + 1 min, it fires 5 ms late at worst, not a whole period later.
    expect(fired).toEqual([new Date(START + MINUTE)]);
  });
});
