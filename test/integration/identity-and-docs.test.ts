import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { apiClient, tokenFor } from '../../infra/local/api-client.js';
import { initiateAuth } from '../../infra/local/engines/cognito-pool.js';
import { openApiDocument } from '../../shared/http/openapi.js';
import { ROUTES, routeKey } from '../../shared/http/routes.js';
import { anonymous, as, stack } from '../support/stack.js';

type User = { username: string; groups: string[] };

describe('GET /v1/me', () => {
  it('tells who the caller is and the permissions the policy applies', async () => {
    const max = await as('max');
    const me = await max.get<{
      username: string;
      department: string;
      groups: string[];
      permissions: Record<string, { read: boolean; update: string }>;
    }>('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'max', department: 'sales' });
    expect(me.body.groups.sort()).toEqual(['managers', 'sales']);
    expect(me.body.permissions.opportunities).toMatchObject({ read: true, update: 'department' });
    expect(me.body.permissions.leads).toMatchObject({ read: true, update: 'none' });
  });
});

describe('admin role management (Cognito)', () => {
  it('lists users with their groups, for admins only', async () => {
    const [ada, sally] = await Promise.all([as('ada'), as('sally')]);
    const res = await ada.get<{ items: User[] }>('/v1/admin/users');
    expect(res.status).toBe(200);
    expect(res.body.items.find((u) => u.username === 'sue')?.groups).toEqual(['support']);
    expect((await sally.get('/v1/admin/users')).status).toBe(403);
  });

  it('moves a user between departments, keeping exactly one department group', async () => {
    const ada = await as('ada');
    const bad = await ada.put<{ errors: { message: string }[] }>('/v1/admin/users/sue/groups', {
      groups: ['support', 'sales'],
    });
    expect(bad.status).toBe(400);
    expect((await ada.put('/v1/admin/users/sue/groups', { groups: ['managers'] })).status).toBe(400);
    expect((await ada.put('/v1/admin/users/sue/groups', { groups: ['wizards'] })).status).toBe(400);
    expect((await ada.put('/v1/admin/users/nobody-here/groups', { groups: ['sales'] })).status).toBe(404);

    const moved = await ada.put<User>('/v1/admin/users/sue/groups', { groups: ['marketing', 'managers'] });
    expect(moved.status).toBe(200);
    const listed = await ada.get<{ items: User[] }>('/v1/admin/users');
    expect(listed.body.items.find((u) => u.username === 'sue')?.groups.sort()).toEqual([
      'managers',
      'marketing',
    ]);
    // Put sue back, so other tests see the demo roles.
    expect((await ada.put('/v1/admin/users/sue/groups', { groups: ['support'] })).status).toBe(200);
  });
});

describe('GET /v1/openapi.json', () => {
  it('is the valid OpenAPI 3.1 document generated from the route table, with every route', async () => {
    // Act
    const res = await anonymous().get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      '/v1/openapi.json',
    );

    // Assess: what is served is what the reply checks of every test compare against
    expect(res.status).toBe(200);
    expect(res.body).toEqual(openApiDocument());
    const result = await validate(structuredClone(res.body) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
    for (const route of ROUTES)
      expect(res.body.paths[route.path]?.[route.method.toLowerCase()], routeKey(route)).toBeDefined();
  });
});

describe('GET /v1/docs', () => {
  it('serves the page and its files as the document describes them (checked by the client)', async () => {
    // Act
    const page = await anonymous().get<string>('/v1/docs');
    const files = await Promise.all(
      ['swagger-ui.css', 'swagger-ui-bundle.js'].map((f) => anonymous().get<string>(`/v1/docs/${f}`)),
    );

    // Assess: statuses, headers and media types are checked against the document on every reply
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    for (const file of files) expect(file.status).toBe(200);
  });
});

describe('the JWT authorizer', () => {
  it('takes access tokens as well as ID tokens', async () => {
    const info = stack();
    const access = await tokenFor(info, 'sally', 'accessToken');
    const me = await apiClient(info.apiUrl, access).get<{ username: string }>('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('sally');
  });

  it('refuses a genuine token issued to another app client of the same pool', async () => {
    // Prepare: a second app client, and a token from it
    const info = stack();
    const cognito = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: info.auth.cognitoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const other = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: info.auth.userPoolId,
        ClientName: 'other-app',
        ExplicitAuthFlows: ['USER_PASSWORD_AUTH'],
      }),
    );
    const sally = info.users.find((u) => u.username === 'sally')!;
    const tokens = await initiateAuth(
      info.auth.cognitoEndpoint,
      other.UserPoolClient!.ClientId!,
      'sally',
      sally.password,
    );
    cognito.destroy();
    // Act + Assess
    for (const token of [tokens.idToken, tokens.accessToken]) {
      expect((await apiClient(info.apiUrl, token).get('/v1/me')).status).toBe(401);
    }
  });
});
