import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { AppFunction } from '../../infra/constructs/app-function.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { type Bundle, bundleEntries, dynamoOperationsOf, removeBundles } from './bundling.js';

/**
 * Every function of the app bundled as CDK bundles it (test/infra/bundling.ts): each bundle imported cold,
 * as Lambda's init does, and each role held to what its code really calls (its DynamoDB actions against
 * the SDK commands its bundle kept).
 */
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

let built: BuiltApp;
let functions: AppFunction[];
let bundles: Map<string, Bundle>;
const templates = new Map<Stack, Template>();

beforeAll(async () => {
  built = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  functions = built.app.node.findAll().filter((c): c is AppFunction => c instanceof AppFunction);
  bundles = await bundleEntries([...new Set(functions.map((f) => f.entryFile))]);
});

afterAll(() => removeBundles(bundles));

function templateOf(stack: Stack): Template {
  if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack));
  return templates.get(stack)!;
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(fn: AppFunction): Statement[] {
  const stack = Stack.of(fn);
  const roleId = stack.getLogicalId(fn.role!.node.defaultChild as CfnResource);
  return Object.values(templateOf(stack).toJSON().Resources as Record<string, Resource>)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The item actions of the table a function is granted (stream reading and Query left aside). */
const ITEM_ACTIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
  'ConditionCheckItem',
] as const;

/** What a transaction holds in this code (shared/db: Put, Update, ConditionCheck; never a Delete). */
const TRANSACTION_PARTS = ['PutItem', 'UpdateItem', 'ConditionCheckItem'];

describe('least privilege on the table, against the code', () => {
  it('grants no function DeleteItem, BatchWriteItem or BatchGetItem that its code does not call', () => {
    for (const fn of functions) {
      // Act
      const called = dynamoOperationsOf(bundles.get(fn.entryFile)!);
      const granted = new Set(
        statementsOf(fn)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('dynamodb:'))
          .map((a) => a.slice('dynamodb:'.length)),
      );

      // Assess
      for (const action of ['DeleteItem', 'BatchWriteItem', 'BatchGetItem']) {
        if (granted.has(action)) expect(called.has(action), `${fn.entryFile} holds ${action}`).toBe(true);
      }
      // Put and Update come as a pair with RW; a function holding either calls one, directly or in a transaction.
      const writes = called.has('TransactWriteItems') ? [...called, ...TRANSACTION_PARTS] : [...called];
      if (granted.has('PutItem') || granted.has('UpdateItem'))
        expect(
          writes.some((a) => a === 'PutItem' || a === 'UpdateItem'),
          `${fn.entryFile} writes`,
        ).toBe(true);
    }
  });

  it('grants every function each item action its code calls (DynamoDB Local checks no permission)', () => {
    for (const fn of functions) {
      // Act
      const called = dynamoOperationsOf(bundles.get(fn.entryFile)!);
      const granted = new Set(statementsOf(fn).flatMap(actionsOf));

      // Assess
      for (const action of ITEM_ACTIONS) {
        if (called.has(action))
          expect(granted.has(`dynamodb:${action}`), `${fn.entryFile} calls ${action}`).toBe(true);
      }
      if (called.has('TransactWriteItems'))
        expect(
          TRANSACTION_PARTS.some((a) => granted.has(`dynamodb:${a}`)),
          `${fn.entryFile} transacts`,
        ).toBe(true);
    }
  });

  it('sees the calls in the bundles (the check above is not vacuous)', () => {
    // Act
    const callers = (op: string) =>
      functions
        .filter((fn) => dynamoOperationsOf(bundles.get(fn.entryFile)!).has(op))
        .map((fn) => fn.entryFile);

    // Assess
    expect(callers('DeleteItem')).toEqual(
      expect.arrayContaining(['functions/api/watch-record.ts', 'functions/api/admin-set-groups.ts']),
    );
    expect(callers('BatchWriteItem')).toContain('functions/streams/audit.ts');
    expect(callers('BatchGetItem')).toContain('functions/streams/notify.ts');
    expect(callers('DeleteItem')).not.toContain('functions/api/delete-record.ts');
  });
});

describe('statements on every resource (*)', () => {
  it('hold only actions that have no resource-level permissions', () => {
    // Prepare: the reason of every IAM5 acknowledgement on a role (infra/constructs/app-function.ts, fanout.ts)
    const RESOURCELESS = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'dynamodb:ListStreams',
    ]);

    for (const fn of functions) {
      // Act
      const onEverything = statementsOf(fn).filter((s) => s.Resource === '*');

      // Assess
      for (const s of onEverything)
        expect(
          actionsOf(s).filter((a) => !RESOURCELESS.has(a)),
          fn.node.path,
        ).toEqual([]);
    }
  });
});

describe('every bundle', () => {
  it('imports cold in a fresh Node.js and exports a handler (what a Lambda init does)', async () => {
    // Prepare: the variables every function's schema may ask for, dummy values (nothing is called at init)
    const env = {
      PATH: process.env.PATH ?? '',
      ...handlerEnv({
        dynamodb: 'http://127.0.0.1:9',
        cognito: 'http://127.0.0.1:9',
        userPoolId: 'x',
        cursorSecret: 'x',
      }),
    };
    const script =
      "const m = await import(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler export');";
    const run = promisify(execFile);
    const failures: string[] = [];
    const queue = [...bundles.values()];

    // Act: two at a time (a Lambda init each)
    await Promise.all(
      [0, 1].map(async () => {
        for (let bundle = queue.shift(); bundle; bundle = queue.shift()) {
          try {
            await run(process.execPath, ['--input-type=module', '-e', script, bundle.file], {
              cwd: dirname(bundle.file),
              env,
            });
          } catch (error) {
            failures.push(
              `${bundle.entry}: ${String((error as { stderr?: string }).stderr ?? error).slice(0, 500)}`,
            );
          }
        }
      }),
    );

    // Assess
    expect(bundles.size).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });
});
