import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import { apiClient, tokenFor } from './api-client.js';
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

/** The demo accounts; each gets a contact, an opportunity, a case and an activity (README lists them). */
export const DEMO_ACCOUNTS = [
  {
    name: 'Acme Robotics',
    domain: 'acme-robotics.example',
    industry: 'Manufacturing',
    lifecycleStage: 'customer',
  },
  { name: 'Globex Health', domain: 'globex.example', industry: 'Healthcare', lifecycleStage: 'prospect' },
  { name: 'Initech Finance', domain: 'initech.example', industry: 'Finance', lifecycleStage: 'lead' },
] as const;

/** Marketing's demo leads, one of them qualified (ready for sales to convert). */
export const DEMO_LEADS = [
  { name: 'Wanda Wu', email: 'wanda@umbrella.example', company: 'Umbrella', score: 82, status: 'qualified' },
  { name: 'Ravi Rao', email: 'ravi@hooli.example', company: 'Hooli', score: 35, status: 'new' },
] as const;

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
 * table, stream, bus).
 */
export async function seedDemoData(info: StackInfo): Promise<number> {
  const as = async (username: string) => apiClient(info.apiUrl, await tokenFor(info, username));
  const [sally, mark, sue] = await Promise.all([as('sally'), as('mark'), as('sue')]);
  let count = 0;
  const create = async (client: typeof sally, path: string, body: Record<string, unknown>) => {
    const res = await client.post<{ id: string }>(path, body);
    if (res.status !== 201)
      throw new Error(`seeding ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
    count++;
    return res.body.id;
  };
  for (const account of DEMO_ACCOUNTS) {
    const accountId = await create(sally, '/v1/accounts', account);
    const contactId = await create(sally, '/v1/contacts', {
      accountId,
      firstName: 'Dana',
      lastName: account.name.split(' ')[0]!,
      email: `dana@${account.domain}`,
      marketingOptIn: account.lifecycleStage !== 'lead',
    });
    await create(sally, '/v1/opportunities', {
      accountId,
      name: `${account.name} – platform deal`,
      amount: '48000.00',
      currency: 'EUR',
      stage: 'proposal',
    });
    await create(sue, '/v1/cases', {
      accountId,
      contactId,
      subject: 'Login fails after SSO change',
      priority: 'high',
    });
    await create(sally, '/v1/activities', {
      type: 'call',
      subject: 'Quarterly check-in',
      relatedTo: { collection: 'accounts', id: accountId },
    });
  }
  for (const lead of DEMO_LEADS) await create(mark, '/v1/leads', lead);
  await configureDemoChannels(info, await as('ada'));
  return count;
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
