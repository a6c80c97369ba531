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
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROLE_LOCK_KEY_PREFIX } from '../../shared/db/keys.js';
import { DOCS_PACKAGE, DOCS_PACKAGE_FILES } from '../../shared/http/docs-assets.js';
import { HANDLERS, type HandlerName, ROUTES, routeKey } from '../../shared/http/routes.js';
import { type Access, AppFunction, type PackageFiles } from './app-function.js';

/** What each handler may touch; anything not listed it may not. Typed so a new handler must be listed. */
interface Grants {
  table?: Access;
  /** Item actions confined to the items whose partition key starts with `keyPrefix`. */
  tableItems?: { actions: readonly string[]; keyPrefix: string };
  userPool?: readonly string[];
  /** Hands out and takes cursors: reads the secret that signs them. */
  cursors?: true;
}
const OWNER_LOOKUP = ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'];

const GRANTS: Record<HandlerName, Grants> = {
  root: {},
  health: {},
  openapi: {},
  docs: {},
  me: {},
  // Naming another owner looks the user up (exists, enabled, department): read-only, on the pool.
  'create-record': { table: 'RW', userPool: OWNER_LOOKUP },
  'get-record': { table: 'R' },
  'update-record': { table: 'RW', userPool: OWNER_LOOKUP },
  'delete-record': { table: 'RW' },
  'list-records': { table: 'R', cursors: true },
  'account-timeline': { table: 'R', cursors: true },
  'convert-lead': { table: 'RW', userPool: OWNER_LOOKUP },
  'admin-list-users': {
    userPool: ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'],
    cursors: true,
  },
  'admin-set-groups': {
    // The user's role lock only (take it, give it back): no record is readable or writable.
    tableItems: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], keyPrefix: ROLE_LOCK_KEY_PREFIX },
    userPool: [
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminRemoveUserFromGroup',
    ],
  },
};

/** Package files a handler reads at run time (the docs page's script and style sheet), shipped with it. */
const PACKAGE_FILES: Partial<Record<HandlerName, PackageFiles>> = {
  docs: { name: DOCS_PACKAGE, files: DOCS_PACKAGE_FILES },
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
  cursorSecret: ISecret;
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
        packageFiles: PACKAGE_FILES[handler],
      });
      const grants = GRANTS[handler];
      if (grants.table) fn.bindTable(props.table, grants.table);
      if (grants.tableItems)
        fn.bindTableItems(props.table, grants.tableItems.actions, grants.tableItems.keyPrefix);
      if (grants.userPool) fn.bindUserPool(props.userPool, grants.userPool);
      if (grants.cursors) fn.bindCursorSecret(props.cursorSecret);
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
