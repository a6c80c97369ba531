import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CORS } from '../../shared/config/cors.js';
import { ENV } from '../../shared/config/env.js';
import {
  API_HANDLER_TIMEOUT_SECONDS,
  FALLBACK,
  type Grants,
  HANDLERS,
  handlerEntry,
  ROUTES,
  routeKey,
} from '../../shared/http/routes.js';
import { stageOf } from '../stages.js';
import { AppFunction, bindBucketGrant } from './app-function.js';

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
  /** Every resource a grant may name is here, so that a handler granted it needs nothing else. */
  bus: IEventBus;
  reportsBucket: IBucket;
  /** The import job's function: the import routes start it. */
  transferJob: IFunction;
  /** The report renderer (scheduled report-snapshots): the run-report route invokes it. */
  reportRenderer: IFunction;
}

/** Each grant of the route table as AppFunction's bind* call: the permission and the variable together. */
function bind(fn: AppFunction, grants: Grants, props: ApiProps) {
  if (grants.table) fn.bindTable(props.table, grants.table);
  if (grants.tableItems) fn.bindTableItemGrants(props.table, grants.tableItems);
  if (grants.roles) fn.bindRoleCells(props.table);
  if (grants.userPool) fn.bindUserPool(props.userPool, grants.userPool);
  if (grants.cursors) fn.bindCursorSecret(props.cursorSecret);
  if (grants.bus) fn.bindBus(props.bus);
  if (grants.bucket) bindBucketGrant(fn, props.reportsBucket, grants.bucket);
  if (grants.jobs) fn.bindInvoke(props.transferJob, ENV.jobFunction);
  if (grants.reports) fn.bindInvoke(props.reportRenderer, ENV.reportFunction);
  if (grants.invitations) fn.bindInvitations();
  if (grants.email) fn.bindEmail(stageOf(fn.node).emailFrom);
}

/**
 * The HTTP API, built from the route table alone: one function per handler (its entry file, grants and
 * package files from the table), one route per entry. Every route requires a Cognito JWT (ID or access
 * token of the app client) unless its entry says `auth: 'public'`; any other request reaches the
 * `$default` route, whose handler answers the 404 problem.
 */
export class Api extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly functions: ReadonlyMap<string, AppFunction>;

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
      // API Gateway answers the preflight itself (no route, no authorizer) for the stage's origins only.
      corsPreflight: {
        allowOrigins: [...stageOf(this.node).corsOrigins],
        allowMethods: CORS.allowMethods.map((m) => CorsHttpMethod[m]),
        allowHeaders: [...CORS.allowHeaders],
        exposeHeaders: [...CORS.exposeHeaders],
        maxAge: Duration.seconds(CORS.maxAgeSeconds),
      },
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', {
            retention: stageOf(this.node).logRetention.functions,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const functions = new Map<string, AppFunction>();
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const [name, handler] of HANDLERS) {
      const fn = new AppFunction(this, `Fn-${name}`, {
        entry: handlerEntry(handler),
        description: `Concord CRM API: ${name}`,
        packageFiles: handler.packageFiles,
        timeout: Duration.seconds(handler.timeoutSeconds ?? API_HANDLER_TIMEOUT_SECONDS),
        failedInvocations: {
          noDeadLetterQueue:
            'Invoked synchronously by API Gateway: the caller gets the error (a 5xx problem), nothing is queued.',
        },
      });
      bind(fn, handler.grants, props);
      functions.set(name, fn);
      // One invoke permission per function for this API, not one per route: 106 routes would each add a
      // permission and push the stack past CloudFormation's 500 resources. The function is still reached
      // only through the routes that name it.
      integrations.set(
        name,
        new HttpLambdaIntegration(`Integration-${name}`, fn, { scopePermissionToRoute: false }),
      );
    }
    this.functions = functions;

    for (const route of ROUTES) {
      const isPublic = route.auth === 'public';
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations.get(route.handler.name)!,
        // Without an authorizer here the API's default (the JWT authorizer) applies.
        ...(isPublic ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (isPublic) {
        Validations.of(httpRoute!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by contract (docs/api.md "Public routes"): it must answer callers without a token.`,
        });
      }
    }
    const fallback = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations.get(FALLBACK.handler.name)!,
      authorizer: new HttpNoneAuthorizer(),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The catch-all ($default) answers the 404 problem to a request no route matches (docs/api.md "Errors"), token or ' +
        'not; it reads nothing.',
    });
  }

  /** The base URL clients call (`https://<id>.execute-api.<region>.amazonaws.com`). */
  get url(): string {
    return this.stage.url;
  }
}
