import { MESSAGE_LIMITS } from '../../config/channels.js';
import type { Department } from '../../config/departments.js';
import type { ChangeDetail } from '../../events/change-events.js';
import { redactForDepartments } from '../../policy/policy.js';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '../collections.js';

/**
 * What a channel message says about one event: the same facts in each channel's own format, from the
 * department's view of the record (the fields it may not see are left out, whatever the event carried)
 * and a link to the record. A message over its channel's size limit is cut and ends with the link.
 */
export interface MessageInput {
  detailType: string;
  detail: ChangeDetail;
  department: Department;
  /** `<base>/v1/<collection>/<id>`. */
  link: string;
}

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}
export interface WecomMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Slack caps a section's text at 3,000 characters. */
const SLACK_SECTION_CHARS = 3_000;
const CUT = '… (cut: the whole record is behind the link)';

export const collectionOfEntity = (entity: string): CollectionName | undefined =>
  COLLECTION_NAMES.find((c) => COLLECTIONS[c].entity === entity);

/** The record as the department may see it. */
export function departmentView(input: Pick<MessageInput, 'detail' | 'department'>): Record<string, unknown> {
  const collection = collectionOfEntity(input.detail.entity);
  // An entity no collection knows has no hidden fields to know of: nothing of it is shown.
  if (!collection) return { id: input.detail.id };
  return redactForDepartments(collection, input.detail.record, [input.department]);
}

export function recordLink(base: string, entity: string, id: string): string {
  const collection = collectionOfEntity(entity) ?? entity;
  return `${base.replace(/\/+$/, '')}/v1/${collection}/${encodeURIComponent(id)}`;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const lines = (record: Record<string, unknown>) =>
  Object.entries(record).map(([k, v]) => [k, show(v)] as const);

const title = (input: MessageInput) => `${input.detailType}: ${input.detail.entity} ${input.detail.id}`;
const byline = (input: MessageInput) =>
  `${input.detail.actor ? `by ${input.detail.actor}, ` : ''}${input.detail.occurredAt} (${input.detail.ownerDept})`;

/** At most `max` characters (code points), else cut with the tail appended. */
export function cutToChars(text: string, max: number, tail: string): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - [...tail].length)).join('')}${tail}`;
}

/** At most `max` UTF-8 bytes, else cut on a character boundary with the tail appended. */
export function cutToBytes(text: string, max: number, tail: string): string {
  if (Buffer.byteLength(text) <= max) return text;
  const room = max - Buffer.byteLength(tail);
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > room) break;
    out += ch;
    bytes += size;
  }
  return `${out}${tail}`;
}

const slackEscape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function renderSlack(input: MessageInput): SlackMessage {
  const record = departmentView(input);
  const body = lines(record)
    .map(([k, v]) => `*${slackEscape(k)}:* ${slackEscape(v)}`)
    .join('\n');
  const open = `<${input.link}|Open the record>`;
  const tail = `\n${CUT}\n${open}`;
  const text = cutToChars(
    `*${slackEscape(title(input))}*\n${body}\n${open}`,
    MESSAGE_LIMITS.slackChars,
    tail,
  );
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cutToChars(title(input), 150, '…') } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: cutToChars(body || '(no fields to show)', SLACK_SECTION_CHARS, `\n${CUT}`),
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(byline(input)) }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Open the record' }, url: input.link },
        ],
      },
    ],
  };
}

export function renderWecom(input: MessageInput): WecomMessage {
  const record = departmentView(input);
  const body = lines(record)
    .map(([k, v]) => `> **${k}**: ${v}`)
    .join('\n');
  const open = `[Open the record](${input.link})`;
  const text = `### ${title(input)}\n${byline(input)}\n${body}\n${open}`;
  return {
    msgtype: 'markdown',
    markdown: { content: cutToBytes(text, MESSAGE_LIMITS.wecomBytes, `\n${CUT}\n${open}`) },
  };
}

const html = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function renderEmail(input: MessageInput): EmailMessage {
  const record = lines(departmentView(input));
  const text = [
    title(input),
    byline(input),
    '',
    ...record.map(([k, v]) => `${k}: ${v}`),
    '',
    input.link,
  ].join('\n');
  const rows = record
    .map(([k, v]) => `<tr><th align="left">${html(k)}</th><td>${html(v)}</td></tr>`)
    .join('');
  const page =
    `<h2>${html(title(input))}</h2><p>${html(byline(input))}</p><table>${rows}</table>` +
    `<p><a href="${html(input.link)}">Open the record</a></p>`;
  return { subject: cutToChars(`[Concord CRM] ${title(input)}`, 200, '…'), text, html: page };
}

/** The message each channel gets for `POST /v1/admin/channels/{dept}/test`. */
export function testMessages(department: string) {
  const line = `Concord CRM: a test message for ${department}'s channel. If you read this, it works.`;
  return {
    slack: { text: line, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: line } }] },
    wecom: { msgtype: 'markdown', markdown: { content: line } },
    email: {
      subject: `[Concord CRM] Test message for ${department}`,
      text: line,
      html: `<p>${html(line)}</p>`,
    },
  } as const;
}
