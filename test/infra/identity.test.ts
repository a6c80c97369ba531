import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { STAGES } from '../../infra/stages.js';

/**
 * Sign-in in AWS (docs/identity.md): the pool's MFA per stage, the OAuth client (authorization code +
 * PKCE, the stage's URLs), the managed login, threat protection's risk answers, sign-in events kept,
 * and the API's JWT authorizer bound to exactly this pool and client. Synthesized per stage, unbundled;
 * each synth also runs cdk-nag, which fails it on an unacknowledged finding.
 */
const synth = (stage: string): BuiltApp => buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });

let dev: BuiltApp;
let prod: BuiltApp;

beforeAll(() => {
  dev = synth('dev');
  prod = synth('prod');
  dev.app.synth();
  prod.app.synth();
});

describe.each([
  ['dev', () => dev, 'OPTIONAL'],
  ['prod', () => prod, 'ON'],
] as const)('the %s stage', (name, built, mfa) => {
  it(`asks for TOTP as the stage says (${mfa}), never SMS`, () => {
    Template.fromStack(built().stateful).hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: mfa,
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
    });
  });

  it("gives browsers and mobile apps the authorization code flow (PKCE: no secret) to the stage's URLs", () => {
    Template.fromStack(built().stateful).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [...STAGES[name].callbackUrls],
      LogoutURLs: [...STAGES[name].logoutUrls],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    });
  });

  it('serves the managed login (version 2) at the stage domain', () => {
    const stateful = Template.fromStack(built().stateful);
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: STAGES[name].loginDomainPrefix,
      ManagedLoginVersion: 2,
    });
    stateful.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  it('blocks compromised credentials and high-risk sign-ins, and keeps every sign-in event', () => {
    const stateful = Template.fromStack(built().stateful);
    stateful.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: {
        Actions: Match.objectLike({ HighAction: { EventAction: 'BLOCK', Notify: false } }),
      },
    });
    stateful.hasResourceProperties('AWS::Cognito::LogDeliveryConfiguration', {
      LogConfigurations: [Match.objectLike({ EventSource: 'userAuthEvents', LogLevel: 'INFO' })],
    });
  });

  it("binds the API's JWT authorizer to exactly this pool's issuer and this client", () => {
    const b = built();
    const service = Template.fromStack(b.service);
    const authorizers = Object.values(service.findResources('AWS::ApiGatewayV2::Authorizer')) as {
      Properties: { JwtConfiguration: { Audience: unknown[]; Issuer: unknown } };
    }[];
    expect(authorizers).toHaveLength(1);
    const jwt = authorizers[0]!.Properties.JwtConfiguration;
    expect(JSON.stringify(jwt.Audience)).toBe(
      JSON.stringify([b.service.resolve(b.stateful.userPoolClient.userPoolClientId)]),
    );
    expect(JSON.stringify(jwt.Issuer)).toContain('cognito-idp.');
    expect(JSON.stringify(jwt.Issuer)).toContain(
      JSON.stringify(b.service.resolve(b.stateful.userPool.userPoolId)).slice(1, -1),
    );
  });
});

describe.each([
  ['dev', () => dev],
  ['prod', () => prod],
] as const)('CORS on the %s stage', (name, built) => {
  it("answers preflights for the stage's origins only, with the shared methods and headers", () => {
    Template.fromStack(built().service).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [...STAGES[name].corsOrigins],
        AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        AllowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
        ExposeHeaders: ['ETag', 'Location'],
        MaxAge: 600,
      },
    });
  });
});

it('refuses an unknown stage by name', () => {
  expect(() => synth('staging')).toThrow(/Unknown stage "staging"/);
});
