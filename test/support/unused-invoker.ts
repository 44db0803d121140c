/**
 * The job invoker of a test or bench whose runs start no other run (no chain, no fan-out): the real
 * Lambda invoker with no function configured, so a start it should not make fails at once, naming the kind.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import type { JobInvoker } from '../../shared/jobs/ports.ts';
import { UNUSED_AWS_CLIENT } from './unused-aws-client.ts';

export function unusedJobInvoker(): JobInvoker {
  return createLambdaJobInvoker({ client: new LambdaClient(UNUSED_AWS_CLIENT), functionArns: {} });
}
