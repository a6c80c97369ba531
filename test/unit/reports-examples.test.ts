import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { closeDateIn, demoPlan } from '../../infra/local/demo-data.js';
import { EXAMPLES_AT, exampleCharts } from '../../infra/reports-examples.js';
import { REPORT_NAMES } from '../../shared/config/reports.js';
import { validateCreate } from '../../shared/domain/validation.js';

/**
 * The demo data (infra/local/demo-data.ts) makes every report worth a chart, and the example charts
 * committed in docs/reports/ are the ones the reports' code draws of it today.
 */
const charts = exampleCharts();
const rowsOf = async (name: string) => (await charts).find((c) => c.name === name)!.snapshot.rows;
const distinct = (rows: Record<string, string | number>[], column: string) =>
  new Set(rows.map((r) => r[column])).size;

describe('the demo data', () => {
  it('is valid for the API and names only records created in an earlier wave', () => {
    // Prepare
    const { waves, moves } = demoPlan(EXAMPLES_AT);
    const made = new Set<string>();

    // Act / Assess
    for (const wave of waves) {
      for (const step of wave) {
        const body = step.body((key) => {
          expect(made, `${step.key} names ${key}`).toContain(key);
          return '01JZ0000000000000000000000';
        });
        expect(validateCreate(step.collection, body), step.key).toMatchObject({ ok: true });
      }
      for (const step of wave) made.add(step.key);
    }
    for (const m of moves) expect(made).toContain(m.handoff);
  });

  it('gives each report several rows: stages, months, statuses and types', async () => {
    // Act
    const [pipeline, forecast, cases, handoffs, activity] = await Promise.all(
      [
        'pipeline-by-stage',
        'pipeline-forecast',
        'cases-by-status',
        'handoffs-by-department',
        'activity-by-department',
      ].map(rowsOf),
    );

    // Assess
    expect(distinct(pipeline!, 'stage')).toBe(4);
    expect(distinct(pipeline!, 'currency')).toBe(2);
    expect(distinct(forecast!, 'month')).toBe(4);
    expect(forecast!.map((r) => r.month)).toContain(closeDateIn(0, EXAMPLES_AT).slice(0, 7));
    expect(distinct(cases!, 'status')).toBe(4);
    expect(distinct(handoffs!, 'department')).toBe(3);
    expect(distinct(handoffs!, 'status')).toBe(5);
    expect(distinct(activity!, 'department')).toBe(3);
    expect(distinct(activity!, 'type')).toBe(5);
    expect((await rowsOf('customers-by-department')).find((r) => r.department === 'sales')?.count).toBe(5);
  });
});

describe('the example charts in docs/reports/', () => {
  it.each(REPORT_NAMES.map((n) => [n]))(
    '%s.svg is what `npx tsx infra/reports-examples.ts` draws',
    async (name) => {
      // Act
      const chart = (await charts).find((c) => c.name === name)!;
      const committed = await readFile(chart.file, 'utf8');

      // Assess
      expect(committed, 'run npx tsx infra/reports-examples.ts and commit docs/reports/').toBe(chart.svg);
    },
  );
});
