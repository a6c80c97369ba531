import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { PROJECT_ROOT } from './constructs/app-function.js';
import { MonitoringStack } from './stacks/monitoring-stack.js';
import { ServiceStack } from './stacks/service-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { stackNames, stageOf } from './stages.js';

export interface BuiltApp {
  app: App;
  stateful: StatefulStack;
  service: ServiceStack;
  monitoring: MonitoringStack;
}

/**
 * The CDK app: the stateful stack, the service stack that uses it and the monitoring stack that watches
 * both, checked by cdk-nag. Tests call this with `context: { 'aws:cdk:bundling-stacks': [] }` to synthesize without bundling.
 */
export function buildApp(opts: AppProps = {}): BuiltApp {
  const app = new App({ ...opts, context: { ...cdkJsonContext(), ...opts.context } });
  // Env-agnostic: the account and region come from the deploying credentials.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stage = stageOf(app.node);
  const names = stackNames(stage.name);
  const stateful = new StatefulStack(app, names.stateful, {
    env,
    description: `Concord CRM (${stage.name}): table, user pool, event bus, reports bucket`,
    // A stage whose data is kept cannot be deleted by mistake; dev's can (`cdk destroy --all`).
    terminationProtection: stage.statefulRemoval === 'retain',
  });
  const service = new ServiceStack(app, names.service, {
    env,
    description: `Concord CRM (${stage.name}): API, functions, change fan-out, alarms`,
    table: stateful.table,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    bus: stateful.bus,
    reportsBucketArnExport: stateful.reportsBucketArnExport,
    cursorSecret: stateful.cursorSecret,
  });
  const monitoring = new MonitoringStack(app, names.monitoring, {
    env,
    description: `Concord CRM (${stage.name}): alarms, their topic, the dashboard`,
    stateful,
    service,
  });
  Tags.of(app).add('app', 'concord-crm');
  // cdk-nag 3 is a policy-validation plugin (the Aspects way of cdk-nag 2 crashes on this CDK).
  // Two packs: AWS Solutions (security), and Serverless (Lambda, API Gateway, queues and streams done well).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stateful, service, monitoring };
}

/**
 * The feature flags of cdk.json. The CLI hands them to the app itself; an app built in-process (tests)
 * reads them here, so that both synthesize the same templates.
 */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: object };
  return { ...cdkJson.context };
}

const isMain =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) buildApp().app.synth();
