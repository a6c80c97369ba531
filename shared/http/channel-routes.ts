import * as z from 'zod/mini';
import { CHANNEL_KINDS, DELIVERY_STATUSES } from '../config/channels.js';
import { DEPARTMENTS } from '../config/departments.js';
import { LIMITS } from '../config/limits.js';
import { CHANNELS_KEY_PREFIX } from '../db/keys.js';
import { channelSettingsBody } from '../domain/channels/settings.js';
import { isoDateTime } from '../domain/fields.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The channel routes (routes.ts): a department's Slack, WeChat Work and email settings, a test message,
 * and the record of its deliveries. Admins only (the policy's canAdminister); the department is a path
 * parameter from the one list of departments.
 */

const SETTINGS_ITEMS = { keyPrefix: CHANNELS_KEY_PREFIX };
const putChannels = fn('put-channels', {
  tableItems: { actions: ['dynamodb:PutItem'], ...SETTINGS_ITEMS },
  webhooks: true,
});
const getChannels = fn('get-channels', { tableItems: { actions: ['dynamodb:GetItem'], ...SETTINGS_ITEMS } });
const testChannels = fn('test-channels', {
  tableItems: { actions: ['dynamodb:GetItem'], ...SETTINGS_ITEMS },
  webhooks: true,
  email: true,
});
const channelDeliveries = fn('channel-deliveries', { table: 'R', cursors: true });

const byDepartment = z.strictObject({ dept: z.enum(DEPARTMENTS) });
const status = z.enum(['ok', 'failing']);
const failure = { failingSince: z.optional(isoDateTime()), lastError: z.optional(z.string()) };
const maskedHook = z.strictObject({ webhookUrl: z.string(), status, ...failure });

const channelSettings = z.strictObject({
  department: z.enum(DEPARTMENTS),
  slack: z.optional(maskedHook),
  wecom: z.optional(maskedHook),
  email: z.optional(z.strictObject({ to: z.array(z.string()), status, ...failure })),
  events: z.array(z.string()),
  updatedAt: z.nullable(isoDateTime()),
});

const testResult = z.strictObject({
  department: z.enum(DEPARTMENTS),
  results: z.array(
    z.strictObject({
      channel: z.enum(CHANNEL_KINDS),
      outcome: z.enum(['sent', 'failed']),
      retryable: z.optional(z.boolean()),
      error: z.optional(z.string()),
    }),
  ),
});

const deliveriesQuery = z.strictObject({
  status: z.optional(z.enum(DELIVERY_STATUSES)),
  limit: z.optional(z.int().check(z.gte(1), z.lte(LIMITS.pageSizeMax))),
  cursor: z.optional(z.string()),
});

const deliveriesPage = z.strictObject({
  items: z.array(
    z.strictObject({
      eventId: z.string(),
      channel: z.enum(CHANNEL_KINDS),
      status: z.enum(DELIVERY_STATUSES),
      detailType: z.string(),
      attempts: z.int().check(z.gte(0)),
      lastError: z.nullable(z.string()),
      at: isoDateTime(),
    }),
  ),
  nextCursor: z.nullable(z.string()),
});

const PATH = '/v1/admin/channels/{dept}';
const ADMINS_ONLY = { 403: 'The caller is not an admin' } as const;

export const CHANNEL_ROUTES: readonly Route[] = [
  {
    method: 'PUT',
    path: PATH,
    handler: putChannels,
    auth: 'user',
    summary: "Set a department's channels (Slack, WeChat Work, email) and the events they get",
    request: { params: byDepartment, body: channelSettingsBody },
    status: 200,
    response: { description: 'The settings now, webhook URLs masked', body: channelSettings },
    errors: { ...ADMINS_ONLY, 400: 'Invalid body, or a webhook URL that is not the service’s own' },
  },
  {
    method: 'GET',
    path: PATH,
    handler: getChannels,
    auth: 'user',
    summary: "A department's channels, webhook URLs masked, each channel ok or failing",
    request: { params: byDepartment },
    status: 200,
    response: {
      description: 'The settings (no channel and no events when none were set)',
      body: channelSettings,
    },
    errors: ADMINS_ONLY,
  },
  {
    method: 'POST',
    path: `${PATH}/test`,
    handler: testChannels,
    auth: 'user',
    summary: 'Send a test message to each of the department’s channels and report each outcome',
    request: { params: byDepartment },
    status: 200,
    response: { description: 'The outcome per channel', body: testResult },
    errors: { ...ADMINS_ONLY, 409: 'The department has no channel configured' },
  },
  {
    method: 'GET',
    path: `${PATH}/deliveries`,
    handler: channelDeliveries,
    auth: 'user',
    summary: "The department's channel deliveries, newest first, by status",
    request: { params: byDepartment, query: deliveriesQuery },
    status: 200,
    response: { description: 'One page', body: deliveriesPage },
    errors: ADMINS_ONLY,
  },
];
