import { REPORT_NAMES, type ReportName } from '../../shared/config/reports.js';
import { type ApiClient, apiClient, tokenFor } from './api-client.js';
import type { RunningStack } from './stack.js';

/**
 * Where `npm start` says today's charts are. The 06:00 schedule would leave a new stack (or one
 * started again after a day off) without today's charts until the next morning: so a start that has
 * just seeded the demo data makes every report's snapshot, and a later start makes today's of the
 * reports whose newest snapshot is older, once the aggregates consumer has counted what the table
 * holds. A stack with no snapshot yet (`--empty`) gets none: there is nothing to chart.
 */
type Latest = { generatedAt: string; links: { svg: string } };
type Chart = { name: ReportName; url?: string; at?: string };

async function latest(ada: ApiClient, name: ReportName): Promise<Chart> {
  const res = await ada.get<Latest>(`/v1/reports/${name}/latest`);
  if (res.status !== 200) return { name };
  // The local S3 serves the bucket without a signature: the link stays good past the presigned 15 minutes.
  const url = new URL(res.body.links.svg);
  url.search = '';
  return { name, url: url.toString(), at: res.body.generatedAt };
}

export async function reportCharts(
  stack: Pick<RunningStack, 'info' | 'consumers'>,
  seeded: boolean,
  progress: (step: string) => void = () => {},
  now: Date = new Date(),
): Promise<string> {
  const { info } = stack;
  const ada = apiClient(info.apiUrl, await tokenFor(info, 'ada'));
  const today = now.toISOString().slice(0, 10);
  let charts = await Promise.all(REPORT_NAMES.map((name) => latest(ada, name)));
  const stale = charts
    .filter((c) => seeded || (c.at !== undefined && !c.at.startsWith(today)))
    .map((c) => c.name);
  if (stale.length) {
    progress('the counters catch up with the stream');
    await stack.consumers.get('aggregates')?.drain();
    progress(`today's report snapshots (${stale.length})`);
    await Promise.all(
      stale.map(async (name) => {
        const res = await ada.post(`/v1/reports/${name}/run`);
        if (res.status !== 201) throw new Error(`making ${name}'s snapshot: ${res.status}`);
      }),
    );
    charts = await Promise.all(REPORT_NAMES.map((name) => latest(ada, name)));
  }
  const width = Math.max(...REPORT_NAMES.map((n) => n.length));
  return [
    "Reports (docs/reports.md): today's charts, to open in a browser",
    ...charts.map(
      (c) =>
        `  ${c.name.padEnd(width)}  ${c.url ?? 'none yet: POST /v1/reports/{name}/run as ada or max'}` +
        (c.url && !c.at?.startsWith(today) ? `   (of ${c.at?.slice(0, 10)})` : ''),
    ),
    `  rows, CSV and SVG links: GET ${info.apiUrl}/v1/reports/{name}/latest as ada or max (made daily at 06:00 UTC)`,
  ].join('\n');
}
