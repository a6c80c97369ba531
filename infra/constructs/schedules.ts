import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { REPORT_RENDERER, SCHEDULES, scheduledEntry } from '../../shared/config/schedules.js';
import type { Grants } from '../../shared/http/route-types.js';
import { stageOf, stageResourceName } from '../stages.js';
import { AppFunction, bindBucketGrant, nagWildcardFinding } from './app-function.js';

export interface SchedulesProps {
  table: ITable;
  reportsBucket: IBucket;
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());

/** A scheduled function's grants as AppFunction's bind* calls (the grants a scheduled job may hold). */
function bindScheduled(fn: AppFunction, grants: Grants, props: SchedulesProps) {
  const { table, tableItems, bucket, ...rest } = grants;
  const unsupported = Object.keys(rest).filter((k) => rest[k as keyof typeof rest] !== undefined);
  if (unsupported.length) throw new Error(`scheduled jobs are not granted ${unsupported.join(', ')} here`);
  if (table) fn.bindTable(props.table, table);
  if (tableItems) fn.bindTableItemGrants(props.table, tableItems);
  if (bucket) bindBucketGrant(fn, props.reportsBucket, bucket);
}

/**
 * The scheduled jobs of shared/config/schedules.ts as EventBridge Scheduler schedules (UTC), each
 * invoking its function with the entry's input: the very list the local scheduler runs. Schedules
 * that share a handler share one function.
 */
export class Schedules extends Construct {
  public readonly functions: ReadonlyMap<string, AppFunction>;
  /** The function that renders report snapshots: the schedules invoke it, and so does the run-report route. */
  public readonly reportRenderer: AppFunction;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const functions = new Map<string, AppFunction>();
    for (const spec of SCHEDULES) {
      let fn = functions.get(spec.handler);
      if (!fn) {
        fn = new AppFunction(this, pascal(spec.handler), {
          entry: scheduledEntry(spec.handler),
          description: `Concord CRM: scheduled ${spec.handler}`,
          timeout: Duration.seconds(
            Math.max(...SCHEDULES.filter((s) => s.handler === spec.handler).map((s) => s.timeoutSeconds)),
          ),
          // Vega compiles and renders the charts: more memory is more CPU for it.
          memorySize: 1024,
          // EventBridge Scheduler invokes it asynchronously: a run that fails every attempt lands here.
          failedInvocations: { deadLetterQueue: true },
        });
        bindScheduled(fn, spec.grants, props);
        // The scheduler's target role is made once per stack by aws-scheduler-targets, at stack scope.
        Validations.of(Stack.of(this)).acknowledge({
          id: nagWildcardFinding(this, `${fn.functionArn}:*`),
          reason:
            "EventBridge Scheduler's role may invoke this function's versions and aliases (LambdaInvoke's grant).",
        });
        functions.set(spec.handler, fn);
      }
      new Schedule(this, `Schedule-${spec.name}`, {
        scheduleName: stageResourceName(stageOf(this.node), spec.name),
        description: `Concord CRM: ${spec.name} (${spec.expression} UTC)`,
        schedule: ScheduleExpression.expression(spec.expression, TimeZone.ETC_UTC),
        target: new LambdaInvoke(fn, {
          input: ScheduleTargetInput.fromObject(spec.input ?? {}),
          retryAttempts: 2,
        }),
      });
    }
    this.functions = functions;
    const renderer = functions.get(REPORT_RENDERER);
    if (!renderer) throw new Error(`no schedule runs ${REPORT_RENDERER}: the run-report route needs it`);
    this.reportRenderer = renderer;
  }
}
