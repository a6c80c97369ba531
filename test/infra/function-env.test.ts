import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { ENV, envSchemaOf, missingVariables, type Uses } from '../../shared/config/env.js';
import { TRANSFER_JOB } from '../../shared/config/jobs.js';
import { HANDLERS } from '../../shared/http/routes.js';

/**
 * Every function's environment, as CDK synthesizes it, parsed with the schema its code parses at init
 * (shared/config/env.ts): what it needs is there, and nothing of ours that it does not use.
 */

let built: BuiltApp;
let template: Template;

beforeAll(() => {
  built = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(built.service);
});

/** The synthesized variables; a CloudFormation token (Ref, GetAtt, ImportValue) counts as a value. */
function envOf(fn: LambdaFunction): Record<string, string> {
  const cfn = fn.node.defaultChild as { node: unknown };
  const id = Stack.of(fn).getLogicalId(cfn as never);
  const stackTemplate = Stack.of(fn) === built.service ? template : Template.fromStack(Stack.of(fn));
  const props = stackTemplate.toJSON().Resources[id].Properties as { Environment?: { Variables?: object } };
  return Object.fromEntries(
    Object.entries(props.Environment?.Variables ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : '<token>',
    ]),
  );
}

const OURS = new Set<string>(Object.values(ENV));

function expectExactly(name: string, uses: Uses, env: Record<string, string>) {
  const result = envSchemaOf(uses).safeParse(env);
  expect(result.success ? [] : missingVariables(result.error), `${name}: missing`).toEqual([]);
  // The schema keeps its own variables only: any other of ours is a name the function may not use.
  const ours = Object.keys(env).filter((k) => OURS.has(k));
  expect(ours.sort(), `${name}: variables of ours`).toEqual(Object.keys(result.data ?? {}).sort());
}

describe('function environments', () => {
  it('every API function has what its grants in the route table require, and nothing else of ours', () => {
    // Act / Assess
    expect(built.service.api.functions.size).toBe(HANDLERS.size);
    for (const [name, fn] of built.service.api.functions) {
      expectExactly(name, HANDLERS.get(name)!.grants, envOf(fn));
    }
  });

  it('the stream consumer and the sign-in trigger have what their code declares, and nothing else of ours', async () => {
    // Prepare: the consumer's module parses its environment when imported; the one helper provides it.
    const saved = { ...process.env };
    Object.assign(
      process.env,
      handlerEnv({
        dynamodb: 'http://127.0.0.1:9',
        cognito: 'http://127.0.0.1:9',
        userPoolId: 'x',
        cursorSecret: 'x',
      }),
    );
    const { USES } = await import('../../functions/streams/publish-changes.js');
    const trigger = await import('../../functions/triggers/sync-user.js');
    process.env = saved;

    // Act / Assess
    expectExactly('publish-changes', USES, envOf(built.service.fanout.publisher));
    expectExactly('sync-user', trigger.USES, envOf(built.stateful.userSync));
  });

  it('the job function has what its grants in shared/config/jobs.ts require, and nothing else of ours', () => {
    // Act / Assess
    expectExactly('run-job', TRANSFER_JOB.grants, envOf(built.service.jobs.transferJob));
  });

  it('a function without a variable its schema requires would be caught', () => {
    // Prepare
    const env = envOf(built.service.api.functions.get('get-record')!);
    delete env[ENV.tableName];

    // Act
    const result = envSchemaOf(HANDLERS.get('get-record')!.grants).safeParse(env);

    // Assess
    expect(result.success).toBe(false);
    expect(missingVariables(result.error!)).toEqual([ENV.tableName]);
  });
});
