import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** CONCORD_LOG_FILE moves the handlers' JSON logs out of the test output into a file, losing none. */
describe('the handlers’ logger', () => {
  let dir = '';
  afterEach(async () => {
    delete process.env.CONCORD_LOG_FILE;
    vi.restoreAllMocks();
    vi.resetModules();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes to CONCORD_LOG_FILE, and nothing to stdout, when it is set', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'concord-logger-'));
    const file = join(dir, 'handlers.log');
    process.env.CONCORD_LOG_FILE = file;
    vi.resetModules();
    const stdout = vi.spyOn(process.stdout, 'write');
    const { logger } = await import('../../shared/http/logger.js');

    // Act
    logger.error('request failed', { error: new Error('provoked on purpose') });

    // Assess: the line arrives (the stream writes asynchronously), as JSON
    const deadline = Date.now() + 5_000;
    let text = '';
    while (!text.includes('provoked on purpose') && Date.now() < deadline) {
      text = await readFile(file, 'utf8').catch(() => '');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(JSON.parse(text.trim().split('\n').at(-1)!)).toMatchObject({
      level: 'ERROR',
      message: 'request failed',
      error: { message: 'provoked on purpose' },
    });
    expect(stdout.mock.calls.flat().join('')).not.toContain('provoked on purpose');
  });
});
