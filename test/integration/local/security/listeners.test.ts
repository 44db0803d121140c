/**
 * Every listener of the local stack (API front, Scheduler emulator, Lambda Invoke endpoint, dynalite)
 * refuses requests from web pages and answers no CORS, and the AWS-protocol ones accept exactly the
 * credentials of endpoints.json, so the unmodified SDK clients work with them and fail clearly without.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../../../local/runtime.ts';
import { tableName } from '../../../../shared/tables.ts';
import { OTHER_CREDENTIALS, signedFetch } from '../../../support/sigv4.ts';
import { type ApiHarness, startApiHarness } from '../../api/support.ts';
import {
  API_FUNCTION,
  accessControlHeaders,
  deleteEvent,
  dynamoRequest,
  invocationsUrl,
  JOBS,
  PAGE,
} from './support.ts';

let api: ApiHarness;
let endpoints: LocalEndpoints;

beforeAll(async () => {
  api = await startApiHarness();
  endpoints = api.stack.endpoints;
});

afterAll(async () => {
  await api.close();
});

describe('every listener', () => {
  type Listener = 'API' | 'Scheduler' | 'Lambda' | 'DynamoDB';
  const LISTENERS: readonly Listener[] = ['API', 'Scheduler', 'Lambda', 'DynamoDB'];
  const urlOf = (listener: Listener): string =>
    ({
      API: `${endpoints.apiUrl}/jobs`,
      Scheduler: `${endpoints.schedulerEndpoint}/schedules`,
      Lambda: invocationsUrl(endpoints.lambdaEndpoint),
      DynamoDB: endpoints.dynamodbEndpoint,
    })[listener];

  /** A request the listener would serve, from a page: its credential is right, it carries an Origin. */
  const fromPage = (listener: Listener): Promise<Response> => {
    switch (listener) {
      case 'API':
        return fetch(urlOf(listener), {
          headers: { authorization: `Bearer ${endpoints.token}`, origin: PAGE },
        });
      case 'Scheduler':
        return signedFetch(urlOf(listener), {
          method: 'GET',
          headers: { origin: PAGE },
          credentials: endpoints.credentials,
          service: 'scheduler',
        });
      case 'Lambda':
        return signedFetch(urlOf(listener), {
          headers: { origin: PAGE, 'content-type': 'application/octet-stream' },
          body: deleteEvent('anything'),
          credentials: endpoints.credentials,
          service: 'lambda',
        });
      case 'DynamoDB': {
        const request = dynamoRequest('ListTables', {});
        return signedFetch(urlOf(listener), {
          headers: { ...request.headers, origin: PAGE },
          body: request.body,
          credentials: endpoints.credentials,
          service: 'dynamodb',
        });
      }
    }
  };

  it.each(LISTENERS)(
    'Given a request to the %s listener with its credential and an Origin header, Then 403 and no CORS header',
    async (listener) => {
      const response = await fromPage(listener);

      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/requests from web pages are refused/);
      expect(accessControlHeaders(response)).toEqual([]);
    },
  );

  it.each(LISTENERS)(
    'Given a CORS preflight to the %s listener, Then 403 and no CORS header',
    async (listener) => {
      const response = await fetch(urlOf(listener), {
        method: 'OPTIONS',
        headers: {
          origin: PAGE,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });

      expect(response.status).toBe(403);
      expect(accessControlHeaders(response)).toEqual([]);
    },
  );

  it('Given the SDK clients with the credentials of endpoints.json, Then Scheduler, Lambda and DynamoDB answer', async () => {
    const config = {
      region: endpoints.credentials.region,
      credentials: endpoints.credentials,
    };
    const scheduler = new SchedulerClient({ ...config, endpoint: endpoints.schedulerEndpoint });
    const lambda = new LambdaClient({ ...config, endpoint: endpoints.lambdaEndpoint });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: endpoints.dynamodbEndpoint });

    const schedules = await scheduler.send(
      new ListSchedulesCommand({ GroupName: endpoints.scheduleGroups.prompt }),
    );
    const dryRun = await lambda.send(
      new InvokeCommand({ FunctionName: API_FUNCTION, InvocationType: 'DryRun' }),
    );
    const tables = await dynamodb.send(new ListTablesCommand({}));
    for (const client of [scheduler, lambda, dynamodb]) client.destroy();

    expect(schedules.Schedules).toBeDefined();
    expect(dryRun.StatusCode).toBe(204);
    expect(tables.TableNames).toEqual([JOBS, tableName('local', 'runs')]);
  });

  it('Given the SDK clients with other credentials, Then each names UnrecognizedClientException', async () => {
    const config = { region: 'us-east-1', credentials: OTHER_CREDENTIALS, maxAttempts: 1 };
    const scheduler = new SchedulerClient({ ...config, endpoint: endpoints.schedulerEndpoint });
    const lambda = new LambdaClient({ ...config, endpoint: endpoints.lambdaEndpoint });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: endpoints.dynamodbEndpoint });

    const refused = await Promise.all([
      scheduler.send(new ListSchedulesCommand({})).catch((error: unknown) => error),
      lambda
        .send(new InvokeCommand({ FunctionName: API_FUNCTION, InvocationType: 'DryRun' }))
        .catch((error: unknown) => error),
      dynamodb.send(new ListTablesCommand({})).catch((error: unknown) => error),
    ]);
    for (const client of [scheduler, lambda, dynamodb]) client.destroy();

    expect(refused).toEqual([
      expect.objectContaining({
        name: 'UnrecognizedClientException',
        $metadata: expect.objectContaining({ httpStatusCode: 403 }),
      }),
      expect.objectContaining({
        name: 'UnrecognizedClientException',
        $metadata: expect.objectContaining({ httpStatusCode: 403 }),
      }),
      expect.objectContaining({
        name: 'UnrecognizedClientException',
        $metadata: expect.objectContaining({ httpStatusCode: 400 }),
      }),
    ]);
  });
});
