import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rememberedPort } from '../../infra/local/engines/cognito-local.js';
import { dataModeOf, seedIfNew } from '../../infra/local/seed.js';
import type { StackInfo } from '../../infra/local/stack-info.js';

/** What `npm start` decides before and around the engines: its flags, the demo data, cognito's port. */
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'concord-start-unit-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('npm start options', () => {
  it('keeps the data by default, --fresh means demo data again, --empty means no records', () => {
    expect(dataModeOf([])).toBe('keep');
    expect(dataModeOf(['--fresh'])).toBe('fresh');
    expect(dataModeOf(['--empty'])).toBe('empty');
  });

  it('refuses an unknown flag, and --fresh with --empty', () => {
    expect(() => dataModeOf(['--frsh'])).toThrow(/unknown or conflicting option/);
    expect(() => dataModeOf(['--fresh', '--empty'])).toThrow(/unknown or conflicting option/);
  });

  it('seeds nothing on a kept table or with --empty (the API is never called)', async () => {
    // Prepare: an API that does not exist, so any seeding attempt would throw
    const stack = { info: { apiUrl: 'http://127.0.0.1:1' } as StackInfo };

    // Act / Assess
    expect(await seedIfNew({ ...stack, fresh: false }, 'keep')).toBe(0);
    expect(await seedIfNew({ ...stack, fresh: true }, 'empty')).toBe(0);
  });
});

describe("cognito-local's port, remembered per data folder", () => {
  it('is taken again on the next start while it is free', async () => {
    // Prepare
    const dir = await tempDir();

    // Act
    const first = await rememberedPort(dir);
    const second = await rememberedPort(dir);

    // Assess
    expect(second).toBe(first);
    expect((await readFile(join(dir, 'port'), 'utf8')).trim()).toBe(String(first));
  });

  it('moves when the old one is taken, and says that older tokens stop working', async () => {
    // Prepare: someone else listens on the remembered port
    const dir = await tempDir();
    const before = await rememberedPort(dir);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(before, '127.0.0.1', resolve));
    const logged: string[] = [];

    // Act
    const after = await rememberedPort(dir, (line) => logged.push(line)).finally(
      () => new Promise((resolve) => squatter.close(resolve)),
    );

    // Assess
    expect(after).not.toBe(before);
    expect(logged.join('\n')).toMatch(new RegExp(`port ${before} .* is taken: using ${after}`));
    expect(logged.join('\n')).toContain('tokens issued before this start will stop working');
    expect(await rememberedPort(dir)).toBe(after);
  });
});
