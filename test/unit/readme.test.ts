import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_LEADS } from '../../infra/local/seed.js';
import { DEMO_USERS } from '../../shared/config/demo.js';

/** The README describes the demo data and the start options: it must stay in step with the code. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(DEMO_USERS.map((u) => [u.username, u] as const))(
    'lists demo user %s with their groups and password',
    (_, user) => {
      const groups = user.groups.map((g) => `\`${g}\``).join(', ');
      expect(readme).toContain(`| \`${user.username}\` | ${groups} |`);
      expect(readme).toContain(`password \`${user.password}\``);
    },
  );

  it('names every demo account and lead that the seed writes', () => {
    for (const { name } of [...DEMO_ACCOUNTS, ...DEMO_LEADS]) expect(readme).toContain(`\`${name}\``);
  });

  it('documents --fresh, --empty and the API reference at /v1/docs', () => {
    expect(readme).toContain('npm start -- --fresh');
    expect(readme).toContain('npm start -- --empty');
    expect(readme).toContain('GET /v1/docs');
  });
});
