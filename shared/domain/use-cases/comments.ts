import { commentIndex } from '../../db/record-pages.js';
import {
  createRecord,
  deleteRecord,
  getRecord,
  updateRecord,
  type WriteOutcome,
  type WritePreconditions,
} from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import {
  canComment,
  canDeleteComment,
  canEditComment,
  commentWriteGuard,
} from '../../policy/collaboration.js';
import { canRead } from '../../policy/policy.js';
import { COMMENTABLE_COLLECTIONS, type CollectionName, type CommentableCollection } from '../collections.js';
import { type Comment, commentRequest } from '../comments.js';
import { fail } from '../errors.js';
import { validate } from '../validation.js';
import { newRecord } from './create-record.js';
import { type PageQuery, type PageResult, startOf } from './read-records.js';

/**
 * Comments on a record (`/v1/{collection}/{id}/comments`): whoever may read the record reads and writes
 * them. A create is ONE DynamoDB call (a transaction: a check that the record exists and is not deleted,
 * and the Put), so it never reads the record: what needs the record's fields (its account, for the
 * timeline) and the mentions' notifications are done from the stream afterwards.
 */

const NO_SUCH_COMMENT = 'No such comment.';

const commentable = (collection: CollectionName): collection is CommentableCollection =>
  COMMENTABLE_COLLECTIONS.some((c) => c === collection);

/** A record the caller may not read is absent to them (404): so are its comments. */
function readableParent(caller: Caller, collection: CollectionName): CommentableCollection {
  if (!commentable(collection) || !canRead(caller, collection)) throw fail.notFound();
  return collection;
}

function validBody(body: unknown): string {
  const valid = validate(commentRequest, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  return valid.value.body;
}

export async function addCommentUseCase(
  caller: Caller,
  collection: CollectionName,
  id: string,
  body: unknown,
): Promise<Comment> {
  const parent = readableParent(caller, collection);
  if (!canComment(caller, parent)) throw fail.forbidden('You may not comment.');
  const comment = newRecord(caller, 'comments', {
    parent: { collection: parent, id },
    body: validBody(body),
  });
  const outcome = await createRecord('comments', comment, { references: [{ collection: parent, id }] });
  if (outcome.ok) return comment;
  if (outcome.reason === 'bad-reference') throw fail.notFound();
  throw new Error('a comment create without idempotency came back as a replay');
}

/** The comments on a record, newest first: a read of the record (404 when absent), then one Query a page. */
export async function listCommentsUseCase(
  caller: Caller,
  collection: CollectionName,
  id: string,
  query: PageQuery,
): Promise<PageResult<Comment>> {
  const parent = readableParent(caller, collection);
  if (!(await getRecord(parent, id))) throw fail.notFound();
  const index = commentIndex(parent, id);
  const page = await index.read(query.limit, await startOf(index, query.cursor));
  const last = page.items.at(-1);
  return { items: page.items, nextCursor: page.lastKey && last ? await index.cursorAfter(last) : null };
}

/** The comment, when it is on this record and the caller may read the record; else 404. */
async function commentOn(caller: Caller, collection: CollectionName, id: string, commentId: string) {
  const parent = readableParent(caller, collection);
  const comment = await getRecord('comments', commentId);
  if (!comment || comment.parent.collection !== parent || comment.parent.id !== id)
    throw fail.notFound(NO_SUCH_COMMENT);
  return comment;
}

function unwrap(outcome: WriteOutcome<'comments'>, pre: WritePreconditions): Comment {
  if (outcome.ok) return outcome.record;
  switch (outcome.reason) {
    case 'absent':
      throw fail.notFound(NO_SUCH_COMMENT);
    case 'denied':
      throw fail.forbidden('You may only change your own comments.');
    case 'final':
      throw fail.conflict('This comment can no longer be changed.');
    case 'stale':
      if (pre.expectedVersions === undefined)
        throw fail.conflict('The comment changed while this request ran; nothing was written. Try again.');
      throw fail.stale();
  }
}

/** Its author edits a comment's text: a read (is it on this record?), then one conditional UpdateItem. */
export async function editCommentUseCase(
  caller: Caller,
  target: { collection: CollectionName; id: string; commentId: string },
  body: unknown,
  expectedVersions?: number[],
): Promise<Comment> {
  const text = validBody(body);
  const comment = await commentOn(caller, target.collection, target.id, target.commentId);
  if (!canEditComment(caller, comment)) throw fail.forbidden('You may only edit your own comments.');
  const pre: WritePreconditions = { guard: commentWriteGuard(caller, 'edit'), expectedVersions };
  const patch = { body: text, updatedAt: new Date().toISOString(), updatedBy: caller.userId };
  return unwrap(await updateRecord('comments', comment.id, patch, pre), pre);
}

/** Its author (or an admin) deletes a comment: soft, like any record; it leaves the timeline too. */
export async function deleteCommentUseCase(
  caller: Caller,
  target: { collection: CollectionName; id: string; commentId: string },
  expectedVersions?: number[],
): Promise<void> {
  const comment = await commentOn(caller, target.collection, target.id, target.commentId);
  if (!canDeleteComment(caller, comment)) throw fail.forbidden('You may only delete your own comments.');
  const pre: WritePreconditions = { guard: commentWriteGuard(caller, 'delete'), expectedVersions };
  unwrap(await deleteRecord('comments', comment.id, pre, caller.userId), pre);
}
