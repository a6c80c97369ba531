import { DEPARTMENTS, type Department } from '../config/departments.js';
import { departmentReads } from '../policy/policy.js';
import { EVENT_SOURCE } from './names.js';
import type { EventPattern } from './pattern.js';

/**
 * Which events each department hears: the one place. CDK turns these into EventBridge rules on the
 * bus, and the local bus matches with the same patterns. A department can add its own targets to
 * its rules; every department also hears the handoffs sent to it.
 */
export interface RuleSpec {
  /** Unique on the bus: `<dept>-<name>`. */
  name: string;
  department: Department;
  description: string;
  pattern: EventPattern;
}

const ofSource = (pattern: Record<string, unknown>): EventPattern => ({ source: [EVENT_SOURCE], ...pattern });
const types = (...prefixes: string[]) => ({
  'detail-type': prefixes.map((p) => (p.endsWith('.') ? { prefix: p } : p)),
});

type Own = Omit<RuleSpec, 'department' | 'name'> & { name: string };

const OWN_RULES: Partial<Record<Department, Own[]>> = {
  sales: [
    {
      name: 'customers',
      description: 'Accounts, contacts and opportunities: the customer record sales works on',
      pattern: ofSource(types('account.', 'contact.', 'opportunity.')),
    },
    {
      name: 'leads-ready',
      description: 'Leads marketing qualified',
      pattern: ofSource(types('lead.qualified')),
    },
  ],
  marketing: [
    {
      name: 'audience',
      description: 'Leads, contacts and accounts: the audience marketing works on',
      pattern: ofSource(types('lead.', 'contact.', 'account.')),
    },
  ],
  support: [
    {
      name: 'cases',
      description: 'Cases and won deals (new customers to support)',
      pattern: ofSource(types('case.', 'opportunity.won', 'account.')),
    },
  ],
};

const handoffRule = (department: Department): RuleSpec => ({
  name: `${department}-handoffs`,
  department,
  description: `Handoffs sent to ${department}`,
  // Events carry the record under detail.record (docs/events.md), the handoff's target department with it.
  pattern: ofSource({ ...types('handoff.'), detail: { record: { toDept: [department] } } }),
});

/**
 * Activities (calls, meetings, notes) are shared customer data: every department that reads them
 * hears them, whoever logged them. The policy decides who reads them, so a matrix change reaches here.
 */
const activityRule = (department: Department): RuleSpec[] =>
  departmentReads(department, 'activities')
    ? [
        {
          name: `${department}-activities`,
          department,
          description: 'Activities logged on the customer record',
          pattern: ofSource(types('activity.')),
        },
      ]
    : [];

export const DEPARTMENT_RULES: readonly RuleSpec[] = DEPARTMENTS.flatMap((department) => [
  ...(OWN_RULES[department] ?? []).map((r) => ({ ...r, department, name: `${department}-${r.name}` })),
  ...activityRule(department),
  handoffRule(department),
]);
