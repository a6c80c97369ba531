import type { Department } from '../../shared/config/departments.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import type { HandoffMove } from '../../shared/domain/handoffs.js';

/**
 * The demo records that `npm start` writes through the API (infra/local/seed.ts), as data: enough of
 * each kind that all six reports (docs/reports.md) draw a chart worth looking at. Close dates are
 * months from the day of the seed, so the forecast always looks ahead. The same plan, run without the
 * API, draws the example charts in docs/reports/ (infra/reports-examples.ts).
 */
export type DemoUser = 'sally' | 'mark' | 'sue';

/** In the order they are created: lists are newest first, so the first three listed are the last three. */
export const DEMO_ACCOUNTS = [
  { name: 'Vandelay Imports', domain: 'vandelay.example', industry: 'Logistics', lifecycleStage: 'customer' },
  { name: 'Soylent Foods', domain: 'soylent.example', industry: 'Food', lifecycleStage: 'churned' },
  { name: 'Initech Finance', domain: 'initech.example', industry: 'Finance', lifecycleStage: 'lead' },
  { name: 'Globex Health', domain: 'globex.example', industry: 'Healthcare', lifecycleStage: 'prospect' },
  {
    name: 'Acme Robotics',
    domain: 'acme-robotics.example',
    industry: 'Manufacturing',
    lifecycleStage: 'customer',
  },
] as const;
type Account = (typeof DEMO_ACCOUNTS)[number]['name'];

/** Marketing's demo leads, one of them qualified (ready for sales to convert). */
export const DEMO_LEADS = [
  { name: 'Wanda Wu', email: 'wanda@umbrella.example', company: 'Umbrella', score: 82, status: 'qualified' },
  { name: 'Ravi Rao', email: 'ravi@hooli.example', company: 'Hooli', score: 35, status: 'new' },
] as const;
type Lead = (typeof DEMO_LEADS)[number]['name'];

/**
 * Sally's deals: every open stage, two currencies, close dates over four months (the month of the
 * close date counted from the seed's month; null: no close date), and a won and a lost one.
 */
const OPPORTUNITIES: readonly [Account, string, string, 'EUR' | 'USD', string, number | null][] = [
  ['Acme Robotics', 'platform deal', '48000.00', 'EUR', 'proposal', 1],
  ['Acme Robotics', 'fleet expansion', '120000.00', 'EUR', 'negotiation', 0],
  ['Acme Robotics', 'service contract', '18500.00', 'USD', 'won', 0],
  ['Globex Health', 'platform deal', '48000.00', 'EUR', 'qualification', 2],
  ['Globex Health', 'analytics add-on', '22000.00', 'USD', 'proposal', 1],
  ['Globex Health', 'pilot', '7500.00', 'USD', 'prospecting', null],
  ['Initech Finance', 'platform deal', '48000.00', 'EUR', 'prospecting', 3],
  ['Initech Finance', 'compliance module', '9500.50', 'USD', 'negotiation', 0],
  ['Initech Finance', 'legacy migration', '30000.00', 'EUR', 'lost', 1],
  ['Vandelay Imports', 'import tracking', '15000.00', 'USD', 'qualification', 2],
];

/** Sue's cases, in every status: account, subject, priority, status. */
const CASES: readonly [Account, string, string, string][] = [
  ['Acme Robotics', 'Login fails after SSO change', 'high', 'open'],
  ['Acme Robotics', 'Invoice export misses VAT', 'normal', 'pending'],
  ['Globex Health', 'Data export times out', 'urgent', 'open'],
  ['Globex Health', 'Password reset mail is late', 'low', 'resolved'],
  ['Initech Finance', 'Report totals off by a cent', 'normal', 'closed'],
  ['Initech Finance', 'API rate limit questions', 'low', 'resolved'],
  ['Vandelay Imports', 'Onboarding checklist', 'normal', 'pending'],
  ['Vandelay Imports', 'Label printer not found', 'high', 'open'],
];
type Case = (typeof CASES)[number][1];

/** What a record is about: an account, a lead or a case, by its name (a case's subject). */
type About = ['accounts', Account] | ['leads', Lead] | ['cases', Case];

/** Activities of all three departments, of every type: who, type, subject, about. */
const ACTIVITIES: readonly [DemoUser, string, string, About][] = [
  ['sally', 'call', 'Quarterly check-in', ['accounts', 'Acme Robotics']],
  ['sally', 'call', 'Quarterly check-in', ['accounts', 'Globex Health']],
  ['sally', 'call', 'Quarterly check-in', ['accounts', 'Initech Finance']],
  ['sally', 'meeting', 'Proposal walkthrough', ['accounts', 'Acme Robotics']],
  ['sally', 'email', 'Pricing follow-up', ['accounts', 'Globex Health']],
  ['sally', 'task', 'Send the contract draft', ['accounts', 'Vandelay Imports']],
  ['mark', 'email', 'Webinar invitation', ['accounts', 'Globex Health']],
  ['mark', 'note', 'Asked for the case study', ['leads', 'Wanda Wu']],
  ['mark', 'meeting', 'Trade fair debrief', ['leads', 'Ravi Rao']],
  ['mark', 'email', 'Newsletter: spring edition', ['leads', 'Ravi Rao']],
  ['sue', 'call', 'SSO troubleshooting', ['cases', 'Login fails after SSO change']],
  ['sue', 'task', 'Reproduce the timeout', ['cases', 'Data export times out']],
  ['sue', 'note', 'Workaround shared', ['cases', 'Login fails after SSO change']],
  ['sue', 'email', 'Resolution summary', ['cases', 'Password reset mail is late']],
  ['sue', 'call', 'Follow-up on the fix', ['cases', 'Data export times out']],
];

/** Handoffs between the departments (who, about, to, reason) and the moves that bring them to every status. */
// biome-ignore format: a table, a handoff a line
const HANDOFFS: readonly [DemoUser, About, Department, string, [DemoUser, HandoffMove][]][] = [
  ['sally', ['accounts', 'Acme Robotics'], 'support', 'Signed: please onboard', [['sue', 'accept'], ['sue', 'complete']]],
  ['sally', ['accounts', 'Globex Health'], 'support', 'Kick-off call for the pilot', []],
  ['sally', ['accounts', 'Vandelay Imports'], 'support', 'Set up their SSO', [['sue', 'accept'], ['sue', 'complete']]],
  ['sally', ['accounts', 'Initech Finance'], 'marketing', 'Not ready: please nurture', [['mark', 'accept']]],
  ['sue', ['cases', 'Data export times out'], 'sales', 'Wants the analytics add-on', [['sally', 'accept']]],
  ['sue', ['cases', 'Invoice export misses VAT'], 'sales', 'Asks a renewal discount', [['sally', 'decline']]],
  ['sue', ['cases', 'Onboarding checklist'], 'sales', 'Upsell: they need more seats', []],
  ['mark', ['leads', 'Wanda Wu'], 'sales', 'Qualified lead: ready for a call', []],
  ['mark', ['accounts', 'Globex Health'], 'sales', 'Came to the webinar', [['sally', 'accept']]],
  ['mark', ['leads', 'Ravi Rao'], 'support', 'Asked about support hours', [['mark', 'cancel']]],
];

/** The close date `months` after `now`'s month: the 15th (UTC), as `yyyy-mm-dd`. */
export function closeDateIn(months: number, now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 15)).toISOString().slice(0, 10);
}

/** Finds the id of a record created earlier in the plan, by its key. */
export type IdOf = (key: string) => string;

export interface DemoCreate {
  as: DemoUser;
  collection: CollectionName;
  /** How later steps name this record (unique in the plan). */
  key: string;
  body: (idOf: IdOf) => Record<string, unknown>;
}

export interface DemoMove {
  as: DemoUser;
  handoff: string;
  move: HandoffMove;
}

/**
 * The seed as steps: waves of creates, each wave naming only records of earlier waves (so a wave's
 * creates may run at once, except the accounts, whose order the lists show), then the handoffs' moves
 * in order.
 */
export function demoPlan(now: Date): { waves: DemoCreate[][]; moves: DemoMove[] } {
  const key = (about: About) => `${about[0]}:${about[1]}`;
  const accounts = DEMO_ACCOUNTS.map((a) => ({
    as: 'sally' as const,
    collection: 'accounts' as const,
    key: key(['accounts', a.name]),
    body: () => ({ ...a }),
  }));
  const people: DemoCreate[] = [
    ...DEMO_LEADS.map((l) => ({
      as: 'mark' as const,
      collection: 'leads' as const,
      key: key(['leads', l.name]),
      body: () => ({ ...l }),
    })),
    ...DEMO_ACCOUNTS.map((a) => ({
      as: 'sally' as const,
      collection: 'contacts' as const,
      key: `contacts:${a.name}`,
      body: (idOf: IdOf) => ({
        accountId: idOf(key(['accounts', a.name])),
        firstName: 'Dana',
        lastName: a.name.split(' ')[0]!,
        email: `dana@${a.domain}`,
        marketingOptIn: a.lifecycleStage !== 'lead',
      }),
    })),
  ];
  const deals: DemoCreate[] = [
    ...OPPORTUNITIES.map(([account, name, amount, currency, stage, months], i) => ({
      as: 'sally' as const,
      collection: 'opportunities' as const,
      key: `opportunities:${i}`,
      body: (idOf: IdOf) => ({
        accountId: idOf(key(['accounts', account])),
        name: `${account} – ${name}`,
        amount,
        currency,
        stage,
        ...(months === null ? {} : { closeDate: closeDateIn(months, now) }),
      }),
    })),
    ...CASES.map(([account, subject, priority, status]) => ({
      as: 'sue' as const,
      collection: 'cases' as const,
      key: key(['cases', subject]),
      body: (idOf: IdOf) => ({
        accountId: idOf(key(['accounts', account])),
        contactId: idOf(`contacts:${account}`),
        subject,
        priority,
        status,
      }),
    })),
  ];
  const related: DemoCreate[] = [
    ...ACTIVITIES.map(([as, type, subject, about], i) => ({
      as,
      collection: 'activities' as const,
      key: `activities:${i}`,
      body: (idOf: IdOf) => ({ type, subject, relatedTo: { collection: about[0], id: idOf(key(about)) } }),
    })),
    ...HANDOFFS.map(([as, about, toDept, reason], i) => ({
      as,
      collection: 'handoffs' as const,
      key: `handoffs:${i}`,
      body: (idOf: IdOf) => ({ record: { collection: about[0], id: idOf(key(about)) }, toDept, reason }),
    })),
  ];
  const moves = HANDOFFS.flatMap(([, , , , steps], i) =>
    steps.map(([as, move]) => ({ as, handoff: `handoffs:${i}`, move })),
  );
  return { waves: [accounts, people, deals, related], moves };
}
