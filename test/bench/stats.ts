/** Small statistics and printing helpers shared by the benchmarks. Figures only: nothing here fails on speed. */

export interface Summary {
  n: number;
  median: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

function sorted(samples: readonly number[]): number[] {
  return [...samples].sort((a, b) => a - b);
}

/** Linear-interpolated percentile (p in 0..100) of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = sorted(samples);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = s[lo]!;
  const b = s[hi]!;
  return a + (b - a) * (rank - lo);
}

export const median = (samples: readonly number[]) => percentile(samples, 50);
export const p95 = (samples: readonly number[]) => percentile(samples, 95);

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

export function summarize(samples: readonly number[]): Summary {
  const s = sorted(samples);
  return {
    n: s.length,
    median: median(s),
    p95: p95(s),
    mean: mean(s),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds with a precision that suits the size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return `${value.toFixed(0)} ms`;
  if (Math.abs(value) >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function signedMs(value: number): string {
  return `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function signedKb(bytes: number): string {
  return `${bytes >= 0 ? '+' : '−'}${kb(Math.abs(bytes))}`;
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[+−-]?[\d.]/.test(r[i] ?? '') || !r[i]));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Times one async call in milliseconds (high-resolution clock). */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function heading(title: string): void {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 76 - title.length))}`);
}

/**
 * A progress bar on stderr for a long step (`[#####.....] 250/500 label`): redrawn in place on a
 * terminal, a line per tenth otherwise (CI logs). `done()` ends the line.
 */
export function progressBar(label: string, total: number) {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  const draw = (n: number) => {
    const filled = Math.round((n / Math.max(1, total)) * 30);
    return `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${n}/${total} ${label}`;
  };
  return {
    tick(n: number) {
      if (tty) process.stderr.write(`\r${draw(n)}`);
      else if (Math.floor((n * 10) / Math.max(1, total)) > lastTenth) {
        lastTenth = Math.floor((n * 10) / Math.max(1, total));
        process.stderr.write(`${draw(n)}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
