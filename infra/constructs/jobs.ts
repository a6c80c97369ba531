import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IMPORT_JOB, jobEntry } from '../../shared/config/jobs.js';
import { AppFunction, bucketGrant } from './app-function.js';

export interface JobsProps {
  table: ITable;
  reportsBucket: IBucket;
}

/**
 * The job functions of shared/config/jobs.ts: invoked asynchronously by their routes (Lambda retries a
 * failed run twice; a rerun is harmless, see shared/transfers/run-import.ts), with the time a large file takes.
 */
export class Jobs extends Construct {
  public readonly importJob: AppFunction;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const spec = IMPORT_JOB;
    this.importJob = new AppFunction(this, 'RunImport', {
      entry: jobEntry(spec),
      description: 'Concord CRM job: run-import',
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
    });
    const { table, bucket } = spec.grants;
    if (table) this.importJob.bindTable(props.table, table);
    if (bucket) this.importJob.bindBucket(props.reportsBucket, ...bucketGrant(bucket));
  }
}
