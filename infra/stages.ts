import type { Node } from 'constructs';

/**
 * What differs between the deployed stages, typed, in one place: chosen with `cdk deploy -c stage=prod`
 * (`dev` when not given). Sign-in is the first concern here; the production issue adds the rest (name
 * prefixes, removal policies, alarm email, log retention) to the same record.
 */
export type StageName = 'dev' | 'prod';

export interface StageConfig {
  name: StageName;
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
}

export const STAGES: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    name: 'dev',
    mfa: 'optional',
    loginDomainPrefix: 'concord-crm-dev',
    // A web client run on the developer's machine, and the mobile app's custom scheme.
    callbackUrls: ['http://localhost:5173/auth/callback', 'concordcrm://auth/callback'],
    logoutUrls: ['http://localhost:5173/', 'concordcrm://auth/signed-out'],
    corsOrigins: ['http://localhost:5173'],
    emailFrom: 'crm-dev@concord-crm.example',
  },
  prod: {
    name: 'prod',
    mfa: 'required',
    loginDomainPrefix: 'concord-crm',
    callbackUrls: ['https://app.concord-crm.example/auth/callback', 'concordcrm://auth/callback'],
    logoutUrls: ['https://app.concord-crm.example/', 'concordcrm://auth/signed-out'],
    corsOrigins: ['https://app.concord-crm.example'],
    emailFrom: 'crm@concord-crm.example',
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
