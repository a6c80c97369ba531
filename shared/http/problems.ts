import type { FieldError } from '../domain/validation.js';

/**
 * An HTTP problem (RFC 9457). Errors carry their status and `expose` like middy's http-errors:
 * only the error handler turns them into a reply (problemBody), and the detail of a problem that is not
 * exposed (a 5xx) is for the logs: the client reads the fixed text of its status instead.
 */
export class HttpProblem extends Error {
  readonly expose: boolean;
  constructor(
    readonly statusCode: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.expose = statusCode < 500;
  }
}

export const problems = {
  badRequest: (detail: string, errors?: FieldError[]) => new HttpProblem(400, 'Bad Request', detail, errors),
  invalidBody: (errors: FieldError[]) =>
    new HttpProblem(400, 'Bad Request', 'The request body is invalid.', errors),
  invalidQuery: (errors: FieldError[]) =>
    new HttpProblem(400, 'Bad Request', 'The query parameters are invalid.', errors),
  unauthorized: (detail = 'A valid bearer token is required.') =>
    new HttpProblem(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (detail = 'You are not allowed to do this.') => new HttpProblem(403, 'Forbidden', detail),
  notFound: (detail = 'No such resource.') => new HttpProblem(404, 'Not Found', detail),
  conflict: (detail: string) => new HttpProblem(409, 'Conflict', detail),
  preconditionFailed: (detail = 'The record has changed since you read it (If-Match is stale).') =>
    new HttpProblem(412, 'Precondition Failed', detail),
  tooLarge: (limit: number) =>
    new HttpProblem(413, 'Content Too Large', `The request body is larger than ${limit} bytes.`),
  unsupportedMediaType: () =>
    new HttpProblem(
      415,
      'Unsupported Media Type',
      'The request body must be JSON (Content-Type: application/json).',
    ),
  unavailable: (cause = 'the store did not answer', retryAfterSeconds = 2) =>
    new HttpProblem(503, 'Service Unavailable', cause, undefined, {
      'Retry-After': String(retryAfterSeconds),
    }),
  internal: (cause = 'unexpected error') => new HttpProblem(500, 'Internal Server Error', cause),
};

/** What a client reads of a problem that is not exposed, by status: never the problem's own detail. */
const UNEXPOSED_DETAIL: Readonly<Record<number, string>> = {
  500: 'Something went wrong on our side.',
  503: 'The store is unavailable; try again shortly.',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export function problemBody(p: HttpProblem): ProblemBody {
  const detail = p.expose ? p.detail : (UNEXPOSED_DETAIL[p.statusCode] ?? UNEXPOSED_DETAIL[500]!);
  const body: ProblemBody = { type: 'about:blank', title: p.title, status: p.statusCode, detail };
  if (p.expose && p.errors?.length) body.errors = p.errors;
  return body;
}
