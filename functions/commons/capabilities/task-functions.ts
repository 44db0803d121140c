/** The `taskFunctions` capability: a Lambda client for synchronous invokes, created once per container. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaUserFunctions } from '../../../shared/adapters/lambda/user-functions.ts';
import type { CapabilityProvider } from './provider.ts';

// One attempt per call: a failed run goes to Lambda's own retries, which the run's record tracks.
export const taskFunctions: CapabilityProvider<'taskFunctions'> = () =>
  new LambdaUserFunctions(new LambdaClient({ maxAttempts: 1 }));
