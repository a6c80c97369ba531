import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SERVICES } from '../../shared/aws/services.js';
import { readLatestPointer, readSnapshot } from '../../shared/reports/snapshot-store.js';
import { type AwsStub, startAwsStub } from '../support/aws-stub.js';

/** The snapshot files read back from the bucket (a stand-in S3 answers the GETs). */
let s3: AwsStub;
beforeAll(async () => {
  s3 = await startAwsStub([AWS_SERVICES.s3]);
});
afterEach(() => s3.reset());
afterAll(() => s3.close());

const base = 'reports/cases-by-status/2025-06-03/14-07';

describe('reading snapshot files back', () => {
  it('answers the pointer and the snapshot as written, from their keys', async () => {
    // Prepare
    const snapshot = {
      name: 'cases-by-status',
      generatedAt: '2025-06-03T14:07:10.000Z',
      rows: [{ status: 'open', count: 2 }],
      totals: { count: 2 },
    };
    s3.replies = [
      { status: 200, body: JSON.stringify({ generatedAt: snapshot.generatedAt, base }) },
      { status: 200, body: JSON.stringify(snapshot) },
    ];

    // Act
    const pointer = await readLatestPointer('cases-by-status');
    const read = await readSnapshot(base);

    // Assess
    expect(pointer).toEqual({ generatedAt: snapshot.generatedAt, base });
    expect(read).toEqual(snapshot);
    expect(s3.seen.map((r) => r.url)).toEqual([
      expect.stringMatching(/\/reports\/cases-by-status\/latest\.json$/),
      expect.stringMatching(new RegExp(`/${base}\\.json$`)),
    ]);
  });

  it('refuses a damaged file instead of passing it on', async () => {
    // Prepare
    s3.replies = [
      { status: 200, body: JSON.stringify({ generatedAt: '2025-06-03T14:07:10.000Z' }) },
      { status: 200, body: JSON.stringify({ name: 'cases-by-status', rows: 'nope' }) },
    ];

    // Act / Assess
    await expect(readLatestPointer('cases-by-status')).rejects.toThrow();
    await expect(readSnapshot(base)).rejects.toThrow();
  });

  it('answers undefined when there is no such file', async () => {
    // Prepare
    s3.replies = [
      {
        status: 404,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>NoSuchKey</Code></Error>',
      },
    ];

    // Act / Assess
    expect(await readSnapshot(base)).toBeUndefined();
  });
});
