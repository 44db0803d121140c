/** The `modelFunctions` capability: a Lambda client for synchronous invokes, created once per container. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaModelFunctions } from '../../../shared/adapters/lambda/model-function.ts';
import type { CapabilityProvider } from './provider.ts';

export const modelFunctions: CapabilityProvider<'modelFunctions'> = () =>
  new LambdaModelFunctions(new LambdaClient({ maxAttempts: 1 }));
