import { describe, expect, it } from 'vitest';
import { toProblem } from '../../shared/http/errors.js';
import { HttpProblem, problemBody, problems } from '../../shared/http/problems.js';

/** `expose` decides what the client reads: a 4xx its detail, a 5xx only the fixed text of its status. */
describe('problem bodies', () => {
  it('show the detail and field errors of an exposed problem (4xx)', () => {
    // Act
    const body = problemBody(
      problems.badRequest('limit must be at most 100.', [{ path: 'limit', message: 'x' }]),
    );

    // Assess
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'limit must be at most 100.',
      errors: [{ path: 'limit', message: 'x' }],
    });
  });

  it('never show the detail of a problem that is not exposed (5xx), whatever it says', () => {
    // Prepare
    const leaky = new HttpProblem(500, 'Internal Server Error', 'TABLE_NAME concord-crm: ECONNREFUSED', [
      { path: 'secret', message: 'internal' },
    ]);
    const down = toProblem(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' }),
    );

    // Act
    const bodies = [problemBody(leaky), problemBody(down), problemBody(toProblem(new Error('db exploded')))];

    // Assess
    expect(leaky.expose).toBe(false);
    expect(bodies).toEqual([
      {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'Something went wrong on our side.',
      },
      {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The store is unavailable; try again shortly.',
      },
      {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'Something went wrong on our side.',
      },
    ]);
  });
});
