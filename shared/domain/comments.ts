import * as z from 'zod/mini';
import { type CommentableCollection, commentText, type RecordOf } from './collections.js';

/**
 * Comments: plain text on a record, with `@username` mentions. The body a client sends (create and
 * edit alike) is the text alone; the record it is on comes from the path.
 */
export const commentRequest = z.strictObject({ body: commentText() });
export type CommentRequest = z.output<typeof commentRequest>;

export type Comment = RecordOf<'comments'>;
export type CommentParent = { collection: CommentableCollection; id: string };

/** Mentions looked at per comment at most: a wall of `@`s costs no more than this. */
export const MAX_MENTIONS = 20;

/**
 * `@name` where the `@` does not follow a letter, digit, `.` or `@` (so `sally@example.com` names no one).
 * A name is what Cognito allows in a username less the characters that end a sentence: letters, digits
 * and `_ . + -`, not ending in `.` or `-` (so `@sally.` at the end of a sentence is `sally`).
 */
const MENTION = /(?<![\p{L}\p{N}_.@])@([\p{L}\p{N}_][\p{L}\p{N}_.+-]{0,127})/gu;

/** The usernames a text mentions, lowercased (usernames are case-insensitive), each once, in order. */
export function mentionsIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.replace(/[.-]+$/, '').toLowerCase();
    if (name && !found.includes(name)) found.push(name);
    if (found.length === MAX_MENTIONS) break;
  }
  return found;
}

/** The mentions an edit adds: only those notify (the others were notified when they were written). */
export function newMentions(before: string | undefined, after: string): string[] {
  const old = new Set(before === undefined ? [] : mentionsIn(before));
  return mentionsIn(after).filter((name) => !old.has(name));
}
