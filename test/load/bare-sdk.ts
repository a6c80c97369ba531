import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { ensureTable } from '../../infra/local/table.js';
import { absent, live } from '../../shared/db/conditions.js';
import {
  type IndexQuery,
  listQuery,
  partitionsOf,
  recordItem,
  recordKey,
  timelineQuery,
} from '../../shared/db/keys.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import { percentile, progressBar } from '../bench/stats.js';
import type { Seed } from './workload.js';

/**
 * The workload's DynamoDB calls without the API: each of the 13 steps as the one SDK call at its
 * core (GetItem, Query, a conditional UpdateItem, a PutItem, a four-item TransactWriteItems), with
 * the same number of concurrent callers, on the same DynamoDB Local, in windows that alternate with
 * the API's (load.ts). Its rate over the API's is what the API (HTTP, JWT, routing, validation,
 * policy, shaping) costs.
 * It writes to a table of its own on that engine (same keys and indexes, seeded with as many
 * records as the API run had): no stream consumer reads it, and no check of the API run counts its
 * writes, so the two phases cannot disturb each other's figures or invariants.
 */
export const bareTableName = (info: StackInfo) => `${info.tableName}-bare-sdk`;
export interface BareResult {
  calls: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Conditional writes refused (the bare counterpart of the 412s). */
  refused: number;
  /** Median latency of each of the 13 steps, in the workload's order (workload.ts STEPS). */
  stepP50: number[];
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

/** Bare SDK windows on a seeded table of their own; `close` when done. */
export interface BareSdk {
  run(options: { connections: number; seconds: number; label: string }): Promise<BareResult>;
  close(): void;
}

export async function prepareBareSdk(info: StackInfo, seed: Seed): Promise<BareSdk> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...localAwsConfig(info.dynamodbEndpoint),
      // As shared/db/client.ts builds the handlers' client.
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const TableName = bareTableName(info);
  await ensureTable(localAwsConfig(info.dynamodbEndpoint), TableName);
  const versions = new Map<string, number>();
  let refused = 0;
  const owner = { ownerId: 'bare-sdk', ownerDept: 'sales', createdBy: 'bare-sdk' };
  const fresh = (collection: CollectionName, fields: Record<string, unknown>) => {
    const now = new Date().toISOString();
    const record = { id: newId(), ...owner, ...fields, createdAt: now, updatedAt: now, version: 1 };
    return { TableName, Item: recordItem(collection, record), ...absent() };
  };
  const read = async (collection: CollectionName, id: string) => {
    const out = await client.send(new GetCommand({ TableName, Key: recordKey(collection, id) }));
    versions.set(id, Number(out.Item?.version ?? 1));
  };
  // A sharded list (byCollection) is one Query per shard, in parallel, as the API reads it.
  const query = (q: IndexQuery) =>
    Promise.all(
      partitionsOf(q).map((p) =>
        client.send(
          new QueryCommand({
            TableName,
            IndexName: p.indexName,
            KeyConditionExpression: '#qpk = :qpk',
            ExpressionAttributeNames: { '#qpk': p.pkAttr },
            ExpressionAttributeValues: { ':qpk': p.pkValue },
            ScanIndexForward: false,
            Limit: 25,
          }),
        ),
      ),
    );
  const patch = async (collection: CollectionName, id: string, field: string, value: string) => {
    const condition = live({ versions: [versions.get(id) ?? 1] });
    try {
      await client.send(
        new UpdateCommand({
          TableName,
          Key: recordKey(collection, id),
          UpdateExpression: 'SET #f = :f, #v = #v + :one',
          ConditionExpression: condition.ConditionExpression,
          ExpressionAttributeNames: { '#f': field, '#v': 'version', ...condition.ExpressionAttributeNames },
          ExpressionAttributeValues: { ':f': value, ':one': 1, ...condition.ExpressionAttributeValues },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      refused++;
    }
  };
  let n = 0;
  const own: Seed = { accounts: [], leads: [], pool: [], since: new Date().toISOString() };
  const put = async (collection: CollectionName, fields: Record<string, unknown>) => {
    const request = fresh(collection, fields);
    await client.send(new PutCommand(request));
    return String(request.Item.id);
  };
  for (let i = 0; i < seed.accounts.length; i++)
    own.accounts.push(await put('accounts', { name: `Bare ${i}` }));
  for (let i = 0; i < seed.leads.length; i++)
    own.leads.push(await put('leads', { name: `Bare lead ${i}`, status: 'working' }));
  const cycle: (() => Promise<unknown>)[] = [];
  let account = own.accounts[0]!;
  let lead = own.leads[0]!;
  let managed = own.accounts[0]!;
  cycle.push(
    () => {
      account = pick(own.accounts);
      return read('accounts', account);
    },
    () => patch('accounts', account, 'industry', `bare ${++n}`),
    () => query(timelineQuery(pick(own.accounts))),
    () =>
      client.send(
        new PutCommand(
          fresh('contacts', { accountId: pick(own.accounts), firstName: 'Bare', lastName: `${++n}` }),
        ),
      ),
    () => query(listQuery('leads', { by: 'all' })),
    () => {
      lead = pick(own.leads);
      return read('leads', lead);
    },
    () => patch('leads', lead, 'source', `bare ${++n}`),
    () =>
      client.send(new PutCommand(fresh('cases', { accountId: pick(own.accounts), subject: `Bare ${++n}` }))),
    () => {
      managed = pick(own.accounts);
      return read('accounts', managed);
    },
    () => patch('accounts', managed, 'industry', `bare ${++n}`),
    () => query(listQuery('opportunities', { by: 'all' })),
    () => query(listQuery('contacts', { by: 'all' })),
    () => {
      const accountId = pick(own.accounts);
      return client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: fresh('accounts', { name: `Bare ${++n}` }) },
            { Put: fresh('contacts', { accountId, firstName: 'Bare', lastName: `${n}` }) },
            { Put: fresh('opportunities', { accountId, name: `Bare ${n}`, amount: '1000.00' }) },
            { ConditionCheck: { TableName, Key: recordKey('accounts', accountId), ...live() } },
          ],
        }),
      );
    },
  );

  const run: BareSdk['run'] = async (options) => {
    const latencies: number[] = [];
    const began = performance.now();
    const deadline = began + options.seconds * 1000;
    const bar = progressBar(options.label, options.seconds);
    const timer = setInterval(
      () => bar.tick(Math.min(options.seconds, Math.round((performance.now() - began) / 1000))),
      1000,
    );
    const refusedBefore = refused;
    const byStep = cycle.map((): number[] => []);
    const worker = async () => {
      // Each caller starts at another step, as autocannon's connections drift apart.
      let step = Math.floor(Math.random() * cycle.length);
      while (performance.now() < deadline) {
        const t = performance.now();
        await cycle[step % cycle.length]!();
        latencies.push(performance.now() - t);
        byStep[step % cycle.length]!.push(performance.now() - t);
        step++;
      }
    };
    try {
      await Promise.all(Array.from({ length: options.connections }, worker));
    } finally {
      clearInterval(timer);
      bar.tick(options.seconds);
      bar.done();
    }
    const seconds = (performance.now() - began) / 1000;
    return {
      calls: latencies.length,
      seconds,
      perSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      refused: refused - refusedBefore,
      stepP50: byStep.map((l) => percentile(l, 50)),
    };
  };
  return { run, close: () => client.destroy() };
}
