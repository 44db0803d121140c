/**
 * JobInvoker on Lambda: an asynchronous Invoke (InvocationType `Event`) of the function that runs the
 * job's kind. Lambda queues the event and answers 202; the run lifecycle in that function does the rest.
 * Locally the same client reaches the local Lambda Invoke endpoint through AWS_ENDPOINT_URL_LAMBDA.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { JobInvokeError } from '../../errors.ts';
import type { JobKind } from '../../jobs/model.ts';
import type { JobEvent, JobInvoker } from '../../jobs/ports.ts';

export interface LambdaJobInvokerOptions {
  readonly client: LambdaClient;
  /** Function ARN (or name) per job kind: `ApiConfig.jobFunctionArns`. */
  readonly functionArns: Readonly<Record<string, string>>;
}

export function createLambdaJobInvoker(options: LambdaJobInvokerOptions): JobInvoker {
  const encoder = new TextEncoder();
  return {
    async invoke(kind: JobKind, event: JobEvent) {
      const functionArn = options.functionArns[kind];
      if (functionArn === undefined) {
        throw new JobInvokeError(`no function is configured for job kind "${kind}"`);
      }
      let statusCode: number | undefined;
      try {
        const output = await options.client.send(
          new InvokeCommand({
            FunctionName: functionArn,
            InvocationType: 'Event',
            Payload: encoder.encode(JSON.stringify(event)),
          }),
        );
        statusCode = output.StatusCode;
      } catch (error) {
        const code = error instanceof Error ? error.name : 'UnknownError';
        throw new JobInvokeError(`could not start the "${kind}" function for job "${event.job}": ${code}`, {
          cause: error,
        });
      }
      // An accepted asynchronous invocation answers 202; anything else means the event was not queued.
      if (statusCode !== 202) {
        throw new JobInvokeError(
          `the "${kind}" function did not accept the event for job "${event.job}" (status ${String(statusCode)})`,
        );
      }
    },
  };
}
