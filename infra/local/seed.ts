import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import { apiClient, tokenFor } from './api-client.js';
import { type DemoCreate, demoPlan } from './demo-data.js';
import type { StackInfo } from './stack-info.js';

/**
 * What a start does with the data folder: keep it (plain `npm start`), or wipe it and start again
 * with the demo data (`--fresh`) or with no records at all (`--empty`). The demo users are provisioned
 * in every mode: with no one to sign in as, an empty stack could not be used.
 */
export type DataMode = 'keep' | 'fresh' | 'empty';

export function dataModeOf(args: readonly string[]): DataMode {
  const unknown = args.filter((a) => a !== '--fresh' && a !== '--empty');
  if (unknown.length > 0 || args.length > 1) {
    throw new Error(
      `unknown or conflicting option(s) ${args.join(' ')}: use no option (keep the data), --fresh (demo data again) or --empty (no records)`,
    );
  }
  return args[0] === '--fresh' ? 'fresh' : args[0] === '--empty' ? 'empty' : 'keep';
}

export { DEMO_ACCOUNTS, DEMO_LEADS } from './demo-data.js';

/**
 * Demo data goes in once, when the table is new (a first start, or after `--fresh`), and never with
 * `--empty`: a later plain start keeps whatever is there. Returns how many records were written.
 */
export async function seedIfNew(
  stack: { fresh: boolean; info: StackInfo },
  mode: DataMode,
  progress: () => void = () => {},
): Promise<number> {
  if (!stack.fresh || mode === 'empty') return 0;
  progress();
  return seedDemoData(stack.info);
}

/**
 * Demo data, written through the API as the demo users (so it travels the whole path: handlers,
 * table, stream, bus): the plan of infra/local/demo-data.ts, a wave at a time, the creates of a wave
 * at once. Returns how many records were written.
 */
export async function seedDemoData(info: StackInfo, now: Date = new Date()): Promise<number> {
  const users = ['sally', 'mark', 'sue', 'ada'] as const;
  const clients = Object.fromEntries(
    await Promise.all(users.map(async (u) => [u, apiClient(info.apiUrl, await tokenFor(info, u))] as const)),
  ) as Record<(typeof users)[number], ReturnType<typeof apiClient>>;
  const ids = new Map<string, string>();
  const idOf = (key: string) => {
    const id = ids.get(key);
    if (!id) throw new Error(`the demo plan names ${key} before creating it`);
    return id;
  };
  const create = async (step: DemoCreate) => {
    const path = `/v1/${step.collection}`;
    const res = await clients[step.as].post<{ id: string }>(path, step.body(idOf));
    if (res.status !== 201)
      throw new Error(`seeding ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.set(step.key, res.body.id);
  };
  // Channels first: the consumer reads a department's settings as each event arrives, so only the
  // changes made after this reach the receivers and the mailbox (the handoffs among them).
  await configureDemoChannels(info, clients.ada);
  const { waves, moves } = demoPlan(now);
  const [accounts, ...rest] = waves;
  // One after the other: the accounts list shows them newest first, in the order the README gives.
  for (const step of accounts ?? []) await create(step);
  for (const wave of rest) await Promise.all(wave.map(create));
  // A handoff's moves in order (accept before complete), the handoffs at once.
  const handoffs = [...new Set(moves.map((m) => m.handoff))];
  await Promise.all(
    handoffs.map(async (handoff) => {
      for (const { as, move } of moves.filter((m) => m.handoff === handoff)) {
        const res = await clients[as].post(`/v1/handoffs/${idOf(handoff)}/${move}`);
        if (res.status !== 200)
          throw new Error(`demo handoff ${move} failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
  return ids.size;
}

/** What each department's channels hear in the demo: its own news, as its rules bring it. */
export const DEMO_CHANNEL_EVENTS: Record<Department, string[]> = {
  sales: ['lead.qualified', 'opportunity.won', 'handoff.*'],
  marketing: ['lead.*', 'handoff.*'],
  support: ['case.*', 'opportunity.won', 'handoff.*'],
};

/**
 * Every department's channels point at the local receivers (stack.json `receivers`) and at a mailbox of
 * the local SES, so the demo's changes show up as Slack, WeChat Work and email messages.
 */
async function configureDemoChannels(info: StackInfo, admin: Awaited<ReturnType<typeof apiClient>>) {
  for (const department of DEPARTMENTS) {
    const res = await admin.put(`/v1/admin/channels/${department}`, {
      slack: { webhookUrl: `${info.receivers.slack}/services/demo/${department}` },
      wecom: { webhookUrl: `${info.receivers.wecom}/cgi-bin/webhook/send?key=demo-${department}` },
      email: { to: [`${department}-team@demo.concord.local`] },
      events: DEMO_CHANNEL_EVENTS[department],
    });
    if (res.status !== 200)
      throw new Error(`setting ${department}'s channels failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
