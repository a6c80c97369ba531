import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { barsOf, chartSvg } from '../../shared/reports/chart.js';
import { REPORTS, type Row } from '../../shared/reports/definitions.js';

/** The snapshots' SVG bar charts (Vega-Lite compiled, rendered by Vega's headless view). */

/** The text of every `<text>` element, in document order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
/** The bars' accessible labels ("Stage: proposal; Open amount: 5.25; …"): one per bar drawn. */
const bars = (svg: string) =>
  [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="bar"/g)].map(
    (m) => m[1]!,
  );

const PIPELINE: Row[] = [
  { department: 'sales', stage: 'proposal', currency: 'EUR', count: 2, amount: '144000.00' },
  { department: 'sales', stage: 'negotiation', currency: 'EUR', count: 1, amount: '10.50' },
  { department: 'support', stage: 'proposal', currency: 'EUR', count: 1, amount: '0.25' },
];

describe('the chart of a report', () => {
  it('has the title, the subtitle, both axis titles, one bar per category and each value', async () => {
    // Prepare
    const rows: Row[] = [
      { department: 'sales', status: 'open', count: 3 },
      { department: 'support', status: 'open', count: 4 },
      { department: 'support', status: 'pending', count: 2 },
    ];

    // Act
    const svg = await chartSvg(
      REPORTS['cases-by-status'],
      rows,
      'All departments · 2025-06-03T14:07:00.000Z',
    );

    // Assess
    expect(svg.startsWith('<svg')).toBe(true);
    const words = texts(svg);
    expect(words).toEqual(
      expect.arrayContaining([
        'Cases by status',
        'All departments · 2025-06-03T14:07:00.000Z',
        'Status',
        'Cases',
      ]),
    );
    expect(bars(svg)).toEqual([
      'Status: open; Cases: 7',
      'Status: pending; Cases: 2',
      'Status: resolved; Cases: 0',
      'Status: closed; Cases: 0',
    ]);
    const valueLabels = [...svg.matchAll(/aria-roledescription="text mark"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(valueLabels).toEqual(['7', '2', '0', '0']);
  });

  it('writes exact amounts above the bars, stages in pipeline order, and no legend entry for a missing series', async () => {
    // Act
    const svg = await chartSvg(REPORTS['pipeline-by-stage'], PIPELINE, 'now');

    // Assess
    expect(bars(svg).map((b) => b.split(';')[0])).toEqual([
      'Stage: prospecting',
      'Stage: qualification',
      'Stage: proposal',
      'Stage: negotiation',
    ]);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['144000.25', '10.50', '0.00', 'Open amount', 'Stage', 'EUR']),
    );
    expect(texts(svg)).not.toContain('undefined');
    expect(texts(svg)).not.toContain('won');
  });

  it('draws no bar for another department in a department’s chart', async () => {
    // Act
    const svg = await chartSvg(
      REPORTS['customers-by-department'],
      [{ department: 'support', count: 2 }],
      'x',
      'support',
    );

    // Assess
    expect(bars(svg)).toEqual(['Department: support; Accounts: 2']);
  });

  it('draws every department, with 0, in the chart of all of them', async () => {
    // Act
    const svg = await chartSvg(
      REPORTS['customers-by-department'],
      [{ department: 'support', count: 2 }],
      'x',
    );

    // Assess
    expect(bars(svg)).toEqual(
      DEPARTMENTS.map((d) => `Department: ${d}; Accounts: ${d === 'support' ? 2 : 0}`),
    );
  });

  it('draws zero bars on a plain axis when there is nothing to count', async () => {
    // Act
    const svg = await chartSvg(REPORTS['pipeline-forecast'], [], 'empty');

    // Assess
    expect(bars(svg)).toEqual([]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Expected close month', 'Weighted open amount']));
    expect(texts(svg).join(' ')).not.toMatch(/0\.0000/);
  });
});

describe('the bars', () => {
  it('sum the rows of a category and series exactly, and keep series side by side', () => {
    // Prepare
    const rows: Row[] = [
      ...PIPELINE,
      { department: 'marketing', stage: 'proposal', currency: 'USD', count: 1, amount: '0.1' },
      { department: 'support', stage: 'proposal', currency: 'USD', count: 1, amount: '0.2' },
    ];

    // Act
    const result = barsOf(REPORTS['pipeline-by-stage'], rows);

    // Assess
    expect(result).toEqual([
      { category: 'prospecting', series: 'EUR', value: 0, label: '0.00' },
      { category: 'qualification', series: 'EUR', value: 0, label: '0.00' },
      { category: 'proposal', series: 'EUR', value: 144000.25, label: '144000.25' },
      { category: 'proposal', series: 'USD', value: 0.3, label: '0.30' },
      { category: 'negotiation', series: 'EUR', value: 10.5, label: '10.50' },
    ]);
  });

  it('keep the known order of categories whatever the order of the rows', () => {
    // Prepare
    const rows: Row[] = [
      { department: 'marketing', stage: 'negotiation', currency: 'USD', count: 1, amount: '1' },
      { department: 'sales', stage: 'prospecting', currency: 'EUR', count: 1, amount: '2' },
    ];

    // Act
    const categories = barsOf(REPORTS['pipeline-by-stage'], rows).map((b) => b.category);

    // Assess
    expect(categories).toEqual(['prospecting', 'qualification', 'proposal', 'negotiation']);
  });

  it('show the weighted forecast per month, in the rows’ (month) order', () => {
    // Prepare
    const rows: Row[] = [
      {
        month: '2025-06',
        department: 'sales',
        currency: 'EUR',
        count: 3,
        amount: '1333.38',
        weighted: '766.6716664',
      },
      { month: '2025-06', department: 'support', currency: 'EUR', count: 1, amount: '1', weighted: '0.1' },
      {
        month: '2025-07',
        department: 'sales',
        currency: 'EUR',
        count: 1,
        amount: '200.00',
        weighted: '40.00',
      },
    ];

    // Act
    const result = barsOf(REPORTS['pipeline-forecast'], rows);

    // Assess
    expect(result).toEqual([
      { category: '2025-06', series: 'EUR', value: 766.7716664, label: '766.7716664' },
      { category: '2025-07', series: 'EUR', value: 40, label: '40.00' },
    ]);
  });
});
