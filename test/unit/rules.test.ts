import { describe, expect, it } from 'vitest';
import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import { EVENT_SOURCE } from '../../shared/events/names.js';
import { matchesPattern, validatePattern } from '../../shared/events/pattern.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';

/** An event as EventBridge hands it to rules. */
const busEvent = (detailType: string, detail: Record<string, unknown> = {}, source = EVENT_SOURCE) => ({
  version: '0',
  id: 'e-1',
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2025-03-10T09:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: { specversion: 1, eventId: 'ev-1', entity: detailType.split('.')[0], ...detail },
});

const rulesOf = (department: Department) => DEPARTMENT_RULES.filter((r) => r.department === department);
const hears = (department: Department, event: unknown) =>
  rulesOf(department).some((r) => matchesPattern(r.pattern, event));

describe('department rules', () => {
  it('are named uniquely on the bus, each after its department', () => {
    // Act
    const names = DEPARTMENT_RULES.map((r) => r.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const rule of DEPARTMENT_RULES) expect(rule.name.startsWith(`${rule.department}-`)).toBe(true);
  });

  it('cover every configured department and no other', () => {
    // Act
    const departments = new Set(DEPARTMENT_RULES.map((r) => r.department));

    // Assess
    expect(departments).toEqual(new Set(DEPARTMENTS));
  });

  it('are valid EventBridge patterns', () => {
    // Act
    const problems = DEPARTMENT_RULES.flatMap((r) =>
      validatePattern(r.pattern).map((p) => `${r.name}: ${p}`),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('hear only the CRM’s own source', () => {
    // Prepare
    const foreign = busEvent('account.created', {}, 'someone.else');

    // Act
    const matched = DEPARTMENT_RULES.filter((r) => matchesPattern(r.pattern, foreign)).map((r) => r.name);

    // Assess
    expect(matched).toEqual([]);
  });
});

describe.each(DEPARTMENTS.map((d) => [d]))('handoffs to %s', (department) => {
  it('reach the department through a handoff rule', () => {
    // Prepare
    const event = busEvent('handoff.requested', { record: { toDept: department } });

    // Act
    const matched = rulesOf(department).filter((r) => matchesPattern(r.pattern, event));

    // Assess
    expect(matched.length).toBeGreaterThan(0);
  });

  it('reach no other department', () => {
    // Prepare
    const event = busEvent('handoff.requested', { record: { toDept: department } });
    const others = DEPARTMENTS.filter((d) => d !== department);

    // Act
    const matched = DEPARTMENT_RULES.filter(
      (r) => r.department !== department && matchesPattern(r.pattern, event),
    ).map((r) => r.name);

    // Assess
    expect(others.length).toBeGreaterThan(0);
    expect(matched).toEqual([]);
  });
});

describe('what each department hears (docs/events.md)', () => {
  it.each<[string, Department, boolean]>([
    ['lead.qualified', 'sales', true],
    ['account.created', 'sales', true],
    ['handoff.accepted', 'sales', false], // handoffs reach the department they are sent to (marketing here)
    ['case.created', 'support', true],
    ['case.updated', 'support', true],
    ['case.escalated', 'support', true],
    ['case.deleted', 'support', true],
    ['opportunity.won', 'support', true],
    ['lead.qualified', 'support', false],
    ['lead.created', 'support', false],
    ['lead.converted', 'support', false],
    ['opportunity.stage_changed', 'support', false],
    ['opportunity.created', 'support', false],
    ['lead.created', 'marketing', true],
    ['lead.qualified', 'marketing', true],
    // marketing members may not read opportunities or cases (§3): their events are not theirs to hear
    ['opportunity.created', 'marketing', false],
    ['opportunity.won', 'marketing', false],
    ['case.created', 'marketing', false],
  ])('%s → %s: %s', (detailType, department, expected) => {
    // Prepare
    const event = busEvent(detailType, { record: { toDept: 'marketing' } });

    // Act
    const heard = hears(department, event);

    // Assess
    expect(heard).toBe(expected);
  });

  it.each<[string, Department]>([
    ['lead.qualifiedx', 'sales'],
    ['opportunity.wonder', 'support'],
  ])('match a single named event exactly: %s does not reach %s', (detailType, department) => {
    // Prepare
    const event = busEvent(detailType);

    // Act
    const heard = hears(department, event);

    // Assess
    expect(heard).toBe(false);
  });
});
