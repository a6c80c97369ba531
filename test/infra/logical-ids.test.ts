import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { PROJECT_ROOT } from '../../infra/constructs/app-function.js';

/**
 * The logical ids of everything that holds data (the table, the buckets, the user pool and its client, the
 * bus and its archive, the cursor secret, every queue), per stack, against the checked-in list
 * test/infra/stateful-logical-ids.json. A new logical id is a new resource and the old one deleted (or, if
 * retained, orphaned): a renamed construct or a moved one would replace the table. If a change is truly
 * meant, edit the list by hand and say why in the commit; nothing here rewrites it.
 */
const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::SecretsManager::Secret',
];

const expected = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'test/infra/stateful-logical-ids.json'), 'utf8'),
) as Record<string, string[]>;

describe.each(['dev', 'prod'] as const)('stateful resources of the %s stage', (stage) => {
  it('keep their logical ids (test/infra/stateful-logical-ids.json)', () => {
    // Prepare
    const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });

    // Act
    const actual: Record<string, string[]> = {};
    for (const stack of [app.stateful, app.service, app.monitoring]) {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
      const ids = Object.entries(resources)
        .filter(([, r]) => STATEFUL_TYPES.includes(r.Type))
        .map(([id, r]) => `${r.Type} ${id}`)
        .sort();
      if (ids.length) actual[stack.stackName.replace(`-${stage}-`, '-<stage>-')] = ids;
    }

    // Assess
    expect(actual).toEqual(expected);
  });
});
