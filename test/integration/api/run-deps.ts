/**
 * The run lifecycle's dependencies on a running local stack's real engines, for tests that call a
 * lifecycle follower themselves (as a repeated delivery would): DynamoDB (dynalite) through the
 * unmodified SDK, and the real Lambda invoker against the stack's Invoke endpoint, whose prompt function
 * runs what the follower starts.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import { systemClock } from '../../../shared/clock.ts';
import { functionName } from '../../../shared/functions.ts';
import { silentLogger } from '../../../shared/logger.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { tableName } from '../../../shared/tables.ts';
import type { ApiHarness } from './support.ts';

export interface LocalRunDeps {
  readonly deps: RunDeps;
  /** Closes the clients. */
  close(): void;
}

export function localRunDeps(api: ApiHarness): LocalRunDeps {
  const { dynamodbEndpoint, lambdaEndpoint, credentials } = api.stack.endpoints;
  const doc = createDocumentClient({
    endpoint: dynamodbEndpoint,
    region: credentials.region,
    clientConfig: { credentials },
  });
  const lambda = new LambdaClient({ endpoint: lambdaEndpoint, region: credentials.region, credentials });
  return {
    deps: {
      jobs: new DynamoJobStore(doc, tableName('local', 'jobs'), systemClock),
      runs: new DynamoRunLedger(doc, tableName('local', 'runs'), systemClock),
      clock: systemClock,
      log: silentLogger,
      retentionDays: 30,
      leaseSeconds: 60,
      retryPolicy: { delaysMs: [] },
      invoker: createLambdaJobInvoker({
        client: lambda,
        functionArns: { prompt: localFunctionArn(functionName('local', 'prompt')) },
      }),
    },
    close: () => {
      doc.destroy();
      lambda.destroy();
    },
  };
}
