import type { IncomingMessage, ServerResponse } from 'node:http';
import { initiateAuth } from './engines/cognito-pool.js';

/**
 * `POST /local/token {username, password}` → tokens: a local convenience over Cognito InitiateAuth
 * (USER_PASSWORD_AUTH). Not part of the deployed API.
 */
export function tokenRoute(cognitoEndpoint: string, clientId: string) {
  return async (_req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const reply = (status: number, payload: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(payload));
    };
    let creds: { username?: unknown; password?: unknown };
    try {
      creds = JSON.parse(body.toString('utf8'));
    } catch {
      creds = {};
    }
    if (typeof creds.username !== 'string' || typeof creds.password !== 'string') {
      return reply(
        400,
        { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'Send {"username","password"}.' },
        'application/problem+json',
      );
    }
    try {
      reply(200, await initiateAuth(cognitoEndpoint, clientId, creds.username, creds.password));
    } catch {
      reply(
        401,
        { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Wrong username or password.' },
        'application/problem+json',
      );
    }
  };
}
