import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { sumDecimals } from './decimal.js';
import type { ReportDef, Row } from './definitions.js';

/**
 * A snapshot's bar chart: a Vega-Lite spec compiled by Vega to SVG on the server (no browser, no
 * canvas: Vega's headless view). Title, labelled axes, one bar per category (side by side per series
 * when the chart has one), each bar's exact value written above it.
 */

interface Bar {
  category: string;
  series?: string;
  /** The bar's length: the only approximated number (a chart cannot draw a BigInt). */
  value: number;
  /** The exact value, as the label shows it. */
  label: string;
}

/**
 * The bars: rows summed per category (and series), exactly. Every known category has a bar, in its
 * known order (others follow in row order); one with no row gets a zero bar in the first series found,
 * so that the legend never lists a series that no row has. A department's chart (`department` given)
 * knows no other department: it would draw their bars at a false zero.
 */
export function barsOf(report: ReportDef, rows: readonly Row[], department?: string): Bar[] {
  const { category, series, value, order } = report.chart;
  const groups = new Map<string, { category: string; series?: string; values: string[] }>();
  for (const row of rows) {
    const c = String(row[category]);
    const s = series ? String(row[series]) : undefined;
    const key = JSON.stringify([c, s ?? null]);
    const group = groups.get(key) ?? { category: c, series: s, values: [] };
    group.values.push(String(row[value]));
    groups.set(key, group);
  }
  const known = department && category === 'department' ? [department] : (order?.() ?? []);
  const found = new Set([...groups.values()].map((g) => g.category));
  const firstSeries = [...groups.values()][0]?.series;
  for (const c of known.filter((k) => !found.has(k)))
    groups.set(JSON.stringify([c, firstSeries ?? null]), { category: c, series: firstSeries, values: [] });
  const rank = (c: string) => (known.includes(c) ? known.indexOf(c) : known.length);
  // Array sort is stable: categories of equal rank (unknown ones) keep the rows' order.
  const ordered = [...groups.values()].sort((a, b) => rank(a.category) - rank(b.category));
  return ordered.map((g) => {
    const label =
      value === 'count'
        ? String(g.values.reduce((n, v) => n + Number(v), 0))
        : sumDecimals(g.values.length ? g.values : ['0'], 8);
    const exact = value === 'count' ? label : trimMoney(label);
    return {
      category: g.category,
      ...(g.series === undefined ? {} : { series: g.series }),
      value: Number(exact),
      label: exact,
    };
  });
}

/** 2 decimals at least, no trailing zeros beyond them. */
const trimMoney = (decimal: string) => decimal.replace(/(\.\d\d\d*?)0+$/, '$1');

export function chartSpec(
  report: ReportDef,
  rows: readonly Row[],
  subtitle: string,
  department?: string,
): TopLevelSpec {
  const { chart } = report;
  const bars = barsOf(report, rows, department);
  const categories = [...new Set(bars.map((b) => b.category))];
  const x = {
    field: 'category',
    type: 'nominal' as const,
    title: chart.categoryTitle,
    sort: categories,
    axis: { labelAngle: 0 },
  };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: chart.valueTitle,
    ...(chart.value === 'count' ? { axis: { tickMinStep: 1 } } : {}),
    // All zero: Vega would stretch [0, 0] into a tiny range with ticks like 0.000000.
    ...(bars.every((b) => b.value === 0) ? { scale: { domain: [0, 1] } } : {}),
  };
  // No row, no series: plain bars, and no legend of a series that is not there.
  const split = chart.series !== undefined && bars.some((b) => b.series !== undefined);
  const offset = split ? { xOffset: { field: 'series', type: 'nominal' as const } } : {};
  const color = split
    ? { color: { field: 'series', type: 'nominal' as const, title: chart.series } }
    : { color: { value: '#4c78a8' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: chart.title, subtitle },
    width: Math.max(240, categories.length * (split ? 110 : 70)),
    height: 260,
    data: { values: bars },
    encoding: { x, ...offset },
    layer: [
      { mark: { type: 'bar', tooltip: true }, encoding: { y, ...color } },
      {
        mark: { type: 'text', dy: -6, fontSize: 11 },
        encoding: { y, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** The chart as SVG text: every department's rows, or one department's (`department`). */
export async function chartSvg(
  report: ReportDef,
  rows: readonly Row[],
  subtitle: string,
  department?: string,
): Promise<string> {
  const spec = chartSpec(report, rows, subtitle, department);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
