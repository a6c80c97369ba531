import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { OBSERVABILITY } from '../shared/config/env.js';

/**
 * What differs between the deployed stages, typed, in one place: chosen with `cdk deploy -c stage=prod`
 * (`dev` when not given). Every name a stage gives AWS carries the stage, so that dev and prod deploy
 * side by side in one account (docs/operations.md).
 */
export type StageName = 'dev' | 'prod';

export interface StageConfig {
  name: StageName;
  /**
   * Starts every physical name the stage sets (stacks' names are `ConcordCrm-<stage>-…`): the bus, the
   * user pool and its client, the sign-in log group, the schedules.
   */
  resourcePrefix: string;
  /**
   * What deleting the stack (or replacing a resource) does to the table, the user pool, the bus, its
   * archive and the buckets: `retain` keeps them (and turns on deletion and termination protection);
   * `destroy` lets `cdk destroy` clean up a stage whose data is disposable (a bucket must be emptied first).
   */
  statefulRemoval: 'retain' | 'destroy';
  /** TOTP for every user (prod), or offered to whoever sets it up (dev, where test users come and go). */
  mfa: 'optional' | 'required';
  /** The managed login's domain: `https://<prefix>.auth.<region>.amazoncognito.com` (globally unique). */
  loginDomainPrefix: string;
  /** Where the managed login may send a browser or mobile client back with its code (OAuth 2.0 + PKCE). */
  callbackUrls: readonly string[];
  logoutUrls: readonly string[];
  /** Browser origins the API answers CORS for (shared/config/cors.ts says what they may do). */
  corsOrigins: readonly string[];
  /** Channel emails come from this address; its domain is the SES identity the senders may use. */
  emailFrom: string;
  /** Every alarm of the stage notifies this address (an SNS email subscription, confirmed once by mail). */
  alarmEmail: string;
  /** How long CloudWatch keeps the functions' and the API's logs, and the sign-in events. */
  logRetention: { functions: RetentionDays; signIns: RetentionDays };
  /**
   * Concurrency set aside for the stream publisher, so that a burst of API calls cannot starve the
   * events (and so that it cannot starve the API): at least the stream's shards × its parallelization
   * factor. Left out where the account's concurrency quota is too small to reserve any (a new account
   * has 10, and Lambda keeps 100 unreserved).
   */
  reservedConcurrency: { publishChanges?: number };
}

export const STAGES: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    name: 'dev',
    resourcePrefix: 'concord-crm-dev',
    statefulRemoval: 'destroy',
    mfa: 'optional',
    loginDomainPrefix: 'concord-crm-dev',
    // A web client run on the developer's machine, and the mobile app's custom scheme.
    callbackUrls: ['http://localhost:5173/auth/callback', 'concordcrm://auth/callback'],
    logoutUrls: ['http://localhost:5173/', 'concordcrm://auth/signed-out'],
    corsOrigins: ['http://localhost:5173'],
    emailFrom: 'crm-dev@concord-crm.example',
    alarmEmail: 'crm-dev-alarms@concord-crm.example',
    logRetention: { functions: RetentionDays.ONE_WEEK, signIns: RetentionDays.ONE_MONTH },
    reservedConcurrency: {},
  },
  prod: {
    name: 'prod',
    resourcePrefix: 'concord-crm-prod',
    statefulRemoval: 'retain',
    mfa: 'required',
    loginDomainPrefix: 'concord-crm',
    callbackUrls: ['https://app.concord-crm.example/auth/callback', 'concordcrm://auth/callback'],
    logoutUrls: ['https://app.concord-crm.example/', 'concordcrm://auth/signed-out'],
    corsOrigins: ['https://app.concord-crm.example'],
    emailFrom: 'crm@concord-crm.example',
    alarmEmail: 'crm-oncall@concord-crm.example',
    logRetention: { functions: RetentionDays.THREE_MONTHS, signIns: RetentionDays.ONE_YEAR },
    reservedConcurrency: { publishChanges: 20 },
  },
};

const isStageName = (value: unknown): value is StageName => value === 'dev' || value === 'prod';

/** The stage the CDK context names (`-c stage=…`); an unknown name fails the synth, naming the choices. */
export function stageOf(node: Node): StageConfig {
  const value: unknown = node.tryGetContext('stage') ?? 'dev';
  if (!isStageName(value))
    throw new Error(`Unknown stage ${JSON.stringify(value)}: use -c stage=dev or -c stage=prod`);
  return STAGES[value];
}

/** A physical name of the stage: `concord-crm-<stage>-<name>` (or the prefix alone). */
export const stageResourceName = (stage: StageConfig, name?: string): string =>
  name ? `${stage.resourcePrefix}-${name}` : stage.resourcePrefix;

/** The removal policy of a stateful resource on this stage. */
export const statefulRemovalPolicy = (stage: StageConfig): RemovalPolicy =>
  stage.statefulRemoval === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

/** The stacks' names: two stages' stacks live side by side in one account and region. */
export const stackNames = (stage: StageName) =>
  ({
    stateful: `ConcordCrm-${stage}-Stateful`,
    service: `ConcordCrm-${stage}-Service`,
    monitoring: `ConcordCrm-${stage}-Monitoring`,
  }) as const;

/**
 * The Powertools service name of the stage's functions: their logs' `service` and their metrics' `service`
 * dimension, so that two stages in one account never add up in one metric.
 */
export const serviceNameOf = (stage: StageConfig): string => `${OBSERVABILITY.serviceName}-${stage.name}`;
