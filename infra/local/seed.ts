import { apiClient, tokenFor } from './api-client.js';
import type { StackInfo } from './stack-info.js';

/**
 * Demo data, written through the API as the demo users (so it travels the whole path: handlers,
 * table, stream, bus), once, when the table is new.
 */
export async function seedDemoData(info: StackInfo): Promise<number> {
  const as = async (username: string) => apiClient(info.apiUrl, await tokenFor(info, username));
  const [sally, mark, sue] = await Promise.all([as('sally'), as('mark'), as('sue')]);
  let count = 0;
  const create = async (client: typeof sally, path: string, body: Record<string, unknown>) => {
    const res = await client.post<{ id: string }>(path, body);
    if (res.status !== 201)
      throw new Error(`seeding ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
    count++;
    return res.body.id;
  };
  const accounts = [
    {
      name: 'Acme Robotics',
      domain: 'acme-robotics.example',
      industry: 'Manufacturing',
      lifecycleStage: 'customer',
    },
    { name: 'Globex Health', domain: 'globex.example', industry: 'Healthcare', lifecycleStage: 'prospect' },
    { name: 'Initech Finance', domain: 'initech.example', industry: 'Finance', lifecycleStage: 'lead' },
  ];
  for (const account of accounts) {
    const accountId = await create(sally, '/v1/accounts', account);
    const contactId = await create(sally, '/v1/contacts', {
      accountId,
      firstName: 'Dana',
      lastName: account.name.split(' ')[0]!,
      email: `dana@${account.domain}`,
      marketingOptIn: account.lifecycleStage !== 'lead',
    });
    await create(sally, '/v1/opportunities', {
      accountId,
      name: `${account.name} – platform deal`,
      amount: '48000.00',
      currency: 'EUR',
      stage: 'proposal',
    });
    await create(sue, '/v1/cases', {
      accountId,
      contactId,
      subject: 'Login fails after SSO change',
      priority: 'high',
    });
    await create(sally, '/v1/activities', {
      type: 'call',
      subject: 'Quarterly check-in',
      relatedTo: { collection: 'accounts', id: accountId },
    });
  }
  await create(mark, '/v1/leads', {
    name: 'Wanda Wu',
    email: 'wanda@umbrella.example',
    company: 'Umbrella',
    score: 82,
    status: 'qualified',
  });
  await create(mark, '/v1/leads', {
    name: 'Ravi Rao',
    email: 'ravi@hooli.example',
    company: 'Hooli',
    score: 35,
    status: 'new',
  });
  return count;
}
