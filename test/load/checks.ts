import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { collectionOfItem, deletionOf, type Item } from '../../shared/db/keys.js';
import { matchesPattern } from '../../shared/events/pattern.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { CONVERSION_MARKS, type Outcomes, type Seed } from './workload.js';

/**
 * What must hold after a run, read from the engines themselves: the table (a Scan: a test's tool,
 * never the API's), the bus's events log, the department queues and the dead-letter files.
 */
/** A JSON-lines file's objects (none when it does not exist yet). */
export async function readJsonLines<T>(file: string): Promise<T[]> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as T);
}

export interface StoredRecord {
  collection: string;
  item: Item;
}

/** Every live record item of the table, by id. */
export async function scanRecords(info: StackInfo): Promise<Map<string, StoredRecord>> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsConfig(info.dynamodbEndpoint)));
  const records = new Map<string, StoredRecord>();
  try {
    let start: Item | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: info.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      for (const item of page.Items ?? []) {
        const collection = collectionOfItem(item);
        if (collection && !deletionOf(item)) records.set(String(item.id), { collection, item });
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return records;
}

export interface VersionCheck {
  checked: number;
  /** Records whose version is below 1 + the writes counted: an update that answered 2xx was lost. */
  lost: string[];
  /** Above 1 + counted + ambiguous: a write nobody was told about. */
  phantom: string[];
  /** Records the workload wrote whose version is explained only by ambiguous writes having committed. */
  committedAmbiguous: number;
}

/** Each written record's version = 1 + the writes the workload counted (+ at most its ambiguous ones). */
export function checkVersions(
  outcomes: Outcomes,
  seed: Seed,
  records: Map<string, StoredRecord>,
): VersionCheck {
  const check: VersionCheck = { checked: 0, lost: [], phantom: [], committedAmbiguous: 0 };
  for (const id of [...seed.accounts, ...seed.leads, ...seed.pool]) {
    const version = Number(records.get(id)?.item.version ?? 0);
    const counted = outcomes.writes.get(id) ?? 0;
    const ambiguous = outcomes.ambiguous.get(id) ?? 0;
    check.checked++;
    if (version < 1 + counted) check.lost.push(`${id}: version ${version}, ${counted} writes counted`);
    else if (version > 1 + counted + ambiguous)
      check.phantom.push(`${id}: version ${version}, ${counted} writes counted, ${ambiguous} ambiguous`);
    else if (version > 1 + counted) check.committedAmbiguous++;
  }
  return check;
}

export interface ConversionCheck {
  converted: number;
  /** Leads converted whose account, contact or opportunity is missing; parts with no converted lead. */
  halfDone: string[];
  /** Leads with more than one 201, or a 201 whose ids are not the lead's. */
  inconsistent: string[];
  /** 409s = attempts − 201s − attempts left unanswered (5xx, or still in flight when the run ended). */
  unexplained409: string[];
}

const text = (item: Item, field: string) => (typeof item[field] === 'string' ? (item[field] as string) : '');

/** Every conversion all or nothing: lead, account, contact and opportunity together, or none of them. */
export function checkConversions(
  outcomes: Outcomes,
  seed: Seed,
  records: Map<string, StoredRecord>,
): ConversionCheck {
  const check: ConversionCheck = { converted: 0, halfDone: [], inconsistent: [], unexplained409: [] };
  const referenced = new Set<string>();
  for (const leadId of seed.pool) {
    const lead = records.get(leadId)?.item;
    if (!lead) {
      check.halfDone.push(`${leadId}: the lead is gone`);
      continue;
    }
    if (lead.status === 'converted') {
      check.converted++;
      for (const [collection, field] of [
        ['accounts', 'convertedAccountId'],
        ['contacts', 'convertedContactId'],
        ['opportunities', 'convertedOpportunityId'],
      ] as const) {
        const id = text(lead, field);
        referenced.add(id);
        if (records.get(id)?.collection !== collection)
          check.halfDone.push(`${leadId}: no ${collection} ${id}`);
      }
    }
    const wins = outcomes.conversions.filter((c) => c.leadId === leadId);
    if (wins.length > 1) check.inconsistent.push(`${leadId}: ${wins.length} conversions answered 201`);
    for (const win of wins) {
      const same =
        lead.status === 'converted' &&
        win.accountId === text(lead, 'convertedAccountId') &&
        win.contactId === text(lead, 'convertedContactId') &&
        win.opportunityId === text(lead, 'convertedOpportunityId');
      if (!same) check.inconsistent.push(`${leadId}: the 201's records are not the lead's`);
    }
  }
  for (const [id, { collection, item }] of records) {
    // Another seed's conversions (an earlier run on the same stack) are not this one's to explain.
    if (text(item, 'createdAt') < seed.since) continue;
    const made =
      (collection === 'accounts' && text(item, 'name').startsWith(CONVERSION_MARKS.account)) ||
      (collection === 'contacts' && text(item, 'firstName') === CONVERSION_MARKS.contact) ||
      (collection === 'opportunities' && text(item, 'name').startsWith(CONVERSION_MARKS.opportunity));
    if (made && !referenced.has(id)) check.halfDone.push(`${collection} ${id}: made by no converted lead`);
  }
  // Every attempt is answered 201 or 409, or is ambiguous (a 5xx, or no answer before the run ended).
  const conflictsOnConvert = outcomes.statuses.convert[409] ?? 0;
  const attempts = [...outcomes.convertAttempts.values()].reduce((a, b) => a + b, 0);
  const unanswered = seed.pool.reduce((sum, id) => sum + (outcomes.ambiguous.get(id) ?? 0), 0);
  if (conflictsOnConvert !== attempts - outcomes.conversions.length - unanswered) {
    check.unexplained409.push(
      `${conflictsOnConvert} conversions answered 409; ${attempts} attempts − ${outcomes.conversions.length} successes − ${unanswered} unanswered`,
    );
  }
  return check;
}

export interface LoggedEvent {
  receivedAt: string;
  event: {
    id: string;
    'detail-type': string;
    source: string;
    detail: { eventId: string; id: string; occurredAt: string; record?: { version?: number } };
  };
  matchedRules: string[];
}

export interface QueueMessage {
  messageId: string;
  rule: string;
  sentAt: string;
  body: LoggedEvent['event'];
}

export interface DeliveryCheck {
  events: number;
  /** eventIds logged more than once by the bus. */
  duplicated: string[];
  /** Records with fewer events than changes (version), or more. */
  missing: string[];
  extra: string[];
  /** Rule deliveries: (eventId, rule) pairs expected from the rules, and how many queue lines disagree. */
  ruleDeliveries: number;
  ruleMismatches: string[];
  deadLettered: Record<string, number>;
}

/**
 * Every committed change is one event, once: per record as many events as its version (created +
 * each update), each eventId once in the events log, and in the department queues exactly once per
 * rule whose pattern matches it (the patterns re-applied here, not taken from the log).
 */
export async function checkDeliveries(
  info: StackInfo,
  records: Map<string, StoredRecord>,
): Promise<DeliveryCheck> {
  const logged = await readJsonLines<LoggedEvent>(info.eventsLog);
  const perEventId = new Map<string, number>();
  const perRecord = new Map<string, number>();
  for (const { event } of logged) {
    perEventId.set(event.detail.eventId, (perEventId.get(event.detail.eventId) ?? 0) + 1);
    perRecord.set(event.detail.id, (perRecord.get(event.detail.id) ?? 0) + 1);
  }
  const check: DeliveryCheck = {
    events: logged.length,
    duplicated: [...perEventId].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
    missing: [],
    extra: [],
    ruleDeliveries: 0,
    ruleMismatches: [],
    deadLettered: {},
  };
  for (const [id, { item }] of records) {
    const changes = Number(item.version ?? 0);
    const events = perRecord.get(id) ?? 0;
    if (events < changes) check.missing.push(`${id}: ${events} events for version ${changes}`);
    if (events > changes) check.extra.push(`${id}: ${events} events for version ${changes}`);
  }
  const expected = new Map<string, number>();
  for (const { event } of logged) {
    for (const rule of DEPARTMENT_RULES) {
      if (matchesPattern(rule.pattern, event)) expected.set(`${event.detail.eventId} ${rule.name}`, 0);
    }
  }
  for (const file of Object.values(info.queues)) {
    for (const message of await readJsonLines<QueueMessage>(file)) {
      const key = `${message.body.detail.eventId} ${message.rule}`;
      const seen = expected.get(key);
      if (seen === undefined) check.ruleMismatches.push(`${key}: delivered, matches no rule`);
      else expected.set(key, seen + 1);
    }
  }
  check.ruleDeliveries = expected.size;
  for (const [key, n] of expected) if (n !== 1) check.ruleMismatches.push(`${key}: delivered ${n} times`);
  for (const [name, file] of Object.entries(info.deadLetterFiles))
    check.deadLettered[name] = (await readJsonLines(file)).length;
  return check;
}

/**
 * Waits (with a deadline, polling) until the events log holds an event for every change of every
 * record, then gives the bus's targets time to finish: what the checks read is then complete.
 */
export async function waitForEveryEvent(
  info: StackInfo,
  settle: () => Promise<void>,
  timeoutMs: number,
): Promise<Map<string, StoredRecord>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await scanRecords(info);
    const changes = [...records.values()].reduce((sum, r) => sum + Number(r.item.version ?? 0), 0);
    const logged = (await readJsonLines<LoggedEvent>(info.eventsLog)).length;
    if (logged >= changes || Date.now() > deadline) {
      await settle();
      return records;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Problems found by the checks, as lines; empty when every invariant holds. */
export function violations(parts: {
  versions?: VersionCheck;
  conversions?: ConversionCheck;
  deliveries?: DeliveryCheck;
}): string[] {
  const out: string[] = [];
  const add = (what: string, items: string[] | undefined) => {
    if (items?.length) out.push(`${what} (${items.length}): ${items.slice(0, 5).join('; ')}`);
  };
  add('lost updates', parts.versions?.lost);
  add('phantom writes', parts.versions?.phantom);
  add('half-done conversions', parts.conversions?.halfDone);
  add('inconsistent conversions', parts.conversions?.inconsistent);
  add('409s the races do not explain', parts.conversions?.unexplained409);
  add('duplicated events', parts.deliveries?.duplicated);
  add('changes without an event', parts.deliveries?.missing);
  add('events without a change', parts.deliveries?.extra);
  add('rule deliveries', parts.deliveries?.ruleMismatches);
  return out;
}
