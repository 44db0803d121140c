/** UserFunctions on Lambda: the synchronous invoke, on a client created once per container. */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SyncInvokeRequest, SyncInvokeResult, UserFunctions } from '../../kinds/targets.ts';
import { invokeFunctionSync } from './sync-invoke.ts';

export class LambdaUserFunctions implements UserFunctions {
  constructor(private readonly client: LambdaClient) {}

  invoke(request: SyncInvokeRequest): Promise<SyncInvokeResult> {
    return invokeFunctionSync(this.client, request);
  }
}
