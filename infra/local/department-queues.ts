import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import type { RuleSpec } from '../../shared/events/rules.js';
import type { LocalBus } from './event-bus.js';
import type { LocalQueue } from './local-queue.js';

/**
 * Each department's SQS queue (the target of its rules in AWS), locally a JSON-lines file: one
 * line per delivered message, the EventBridgeEvent as the body, as SQS would hold it. With `inboxes`
 * (infra/local/channels.ts), each message also goes to the department's local SQS-like queue, which
 * the channel delivery consumes.
 */
export async function attachDepartmentQueues(
  bus: LocalBus,
  rules: readonly RuleSpec[],
  dir: string,
  inboxes?: ReadonlyMap<Department, LocalQueue>,
) {
  await mkdir(dir, { recursive: true });
  const files = Object.fromEntries(DEPARTMENTS.map((d) => [d, join(dir, `${d}.jsonl`)]));
  for (const rule of rules) {
    bus.addTarget(rule.name, async (event) => {
      const message = { messageId: event.id, rule: rule.name, sentAt: new Date().toISOString(), body: event };
      await appendFile(files[rule.department]!, `${JSON.stringify(message)}\n`);
      await inboxes?.get(rule.department)?.send(JSON.stringify(event));
    });
  }
  return files;
}
