import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { jobEntry, TRANSFER_JOB } from '../../shared/config/jobs.js';
import { AppFunction, bindBucketGrant } from './app-function.js';

export interface JobsProps {
  table: ITable;
  reportsBucket: IBucket;
}

/**
 * The job functions of shared/config/jobs.ts: invoked asynchronously by their routes (Lambda retries a
 * failed run twice; a rerun is harmless, see shared/transfers/run-import.ts), with the time a large file takes.
 */
export class Jobs extends Construct {
  public readonly transferJob: AppFunction;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const spec = TRANSFER_JOB;
    this.transferJob = new AppFunction(this, 'RunJob', {
      entry: jobEntry(spec),
      description: 'Concord CRM job: imports and exports',
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      // Started asynchronously by its routes: a run that fails all of Lambda's attempts lands here (alarmed on).
      failedInvocations: { deadLetterQueue: true },
    });
    const { table, bucket } = spec.grants;
    if (table) this.transferJob.bindTable(props.table, table);
    if (bucket) bindBucketGrant(this.transferJob, props.reportsBucket, bucket);
  }
}
