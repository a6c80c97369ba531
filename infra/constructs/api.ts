import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLERS, type HandlerName, ROUTES, routeKey } from '../../shared/http/routes.js';
import { type Access, AppFunction } from './app-function.js';

/** What each handler may touch; anything not listed it may not. Typed so a new handler must be listed. */
interface Grants {
  table?: Access;
  userPool?: readonly string[];
}
const GRANTS: Record<HandlerName, Grants> = {
  health: {},
  openapi: {},
  me: {},
  'create-record': { table: 'RW' },
  'get-record': { table: 'R' },
  'update-record': { table: 'RW' },
  'delete-record': { table: 'RW' },
  'list-records': { table: 'R' },
  'account-timeline': { table: 'R' },
  'convert-lead': { table: 'RW' },
  'admin-list-users': { userPool: ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'] },
  'admin-set-groups': {
    userPool: [
      'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminRemoveUserFromGroup',
    ],
  },
};

/** Account-wide API Gateway limits are shared by every API: this one takes a bounded share. */
const THROTTLE = { rateLimit: 100, burstLimit: 200 };

/** JSON access log: who called what, how it went. No headers, so no token ever lands in a log. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

export interface ApiProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
}

/**
 * The HTTP API, built from the route table: one function per handler, one route per entry. Every route
 * requires a Cognito JWT (ID or access token of the app client) unless the table marks it public.
 */
export class Api extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly functions: ReadonlyMap<HandlerName, AppFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [props.userPoolClient],
    });
    // Secure by default: a route gets the authorizer unless it is explicitly public.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Concord CRM API (v1)',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', {
            retention: RetentionDays.THREE_MONTHS,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const functions = new Map<HandlerName, AppFunction>();
    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    for (const handler of HANDLERS) {
      const fn = new AppFunction(this, `Fn-${handler}`, {
        entry: `functions/api/${handler}.ts`,
        description: `Concord CRM API: ${handler}`,
      });
      const grants = GRANTS[handler];
      if (grants.table) fn.bindTable(props.table, grants.table);
      if (grants.userPool) fn.bindUserPool(props.userPool, grants.userPool);
      functions.set(handler, fn);
      integrations.set(handler, new HttpLambdaIntegration(`Integration-${handler}`, fn));
    }
    this.functions = functions;

    for (const route of ROUTES) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations.get(route.handler)!,
        // Without an authorizer here the API's default (the JWT authorizer) applies.
        ...(route.public ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.public) {
        Validations.of(httpRoute!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by contract (API.md §1): it must answer callers without a token.`,
        });
      }
    }
  }

  /** The base URL clients call (`https://<id>.execute-api.<region>.amazonaws.com`). */
  get url(): string {
    return this.stage.url;
  }
}
