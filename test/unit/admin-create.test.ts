import { describe, expect, it } from 'vitest';
import { nextStepsFor, parseAdminArgs } from '../../infra/admin-create.js';

describe('admin:create arguments', () => {
  it('defaults to the local stack and the address as the username', () => {
    expect(parseAdminArgs(['--email', 'ada@example.com'])).toEqual({
      email: 'ada@example.com',
      username: 'ada',
      stage: 'local',
      userPoolId: undefined,
      region: undefined,
    });
  });

  it('needs the pool id for a deployed stage, an address, a known stage, and no unknown option', () => {
    expect(parseAdminArgs(['--email', 'a@b.co', '--stage', 'prod'])).toMatchObject({
      error: expect.stringMatching(/--user-pool-id is needed/),
    });
    expect(parseAdminArgs(['--email', 'nope'])).toMatchObject({ error: expect.stringMatching(/--email/) });
    expect(parseAdminArgs(['--email', 'a@b.co', '--stage', 'qa'])).toMatchObject({
      error: expect.stringMatching(/--stage must be/),
    });
    expect(parseAdminArgs(['--email', 'a@b.co', '--wat'])).toMatchObject({
      error: expect.stringMatching(/usage: npm run admin:create/),
    });
  });

  it('tells a prod admin about the emailed password and the TOTP the pool requires', () => {
    const request = { email: 'a@b.co', username: 'a', stage: 'prod', userPoolId: 'eu-west-1_x' } as const;
    const steps = nextStepsFor(request, { username: 'a', created: true });
    expect(steps.join('\n')).toMatch(/emails a@b\.co a temporary password/);
    expect(steps.join('\n')).toMatch(/TOTP.*requires/);
  });
});
