/**
 * The Tickwork API: an HTTP API with IAM auth on every route (the shared route table), one Lambda
 * integration for all of them, and JSON access logs. Added below the Tickwork construct, so its
 * construct ids (and the logical ids of a deployed stack) are the ones the construct always had.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { apiRoutes } from '../shared/api/routes.ts';

export interface HttpApiSettings {
  readonly stage: string;
  readonly apiFunction: IFunction;
  readonly logRetention: RetentionDays;
}

export function addHttpApi(
  scope: Construct,
  { stage, apiFunction, logRetention }: HttpApiSettings,
): { api: HttpApi; apiStage: HttpStage } {
  const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
    logGroupName: `/aws/apigateway/tickwork-${stage}-api`,
    retention: logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const api = new HttpApi(scope, 'Api', {
    apiName: `tickwork-${stage}-api`,
    description: `Tickwork ${stage} jobs API (IAM-authorized)`,
    // Created below with access logging, which the implicit default stage cannot have.
    createDefaultStage: false,
  });
  const apiStage = new HttpStage(scope, 'ApiDefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTime',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          sourceIp: '$context.identity.sourceIp',
          caller: '$context.identity.userArn',
          integrationError: '$context.integrationErrorMessage',
        }),
      ),
    },
  });

  // One function serves every route, so a per-route invoke permission (16 statements) adds nothing over one
  // permission for this API.
  const integration = new HttpLambdaIntegration('ApiIntegration', apiFunction, {
    payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    scopePermissionToRoute: false,
  });
  const authorizer = new HttpIamAuthorizer();
  for (const route of apiRoutes) {
    api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer });
  }

  return { api, apiStage };
}
