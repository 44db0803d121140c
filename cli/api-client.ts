/**
 * The CLI's side of the API client: the transport, errors and targets are the typed client's
 * (client/), so the CLI and `tickwork/client` send the same requests the same way; here a target the
 * user named badly (`--url`, `--region`) becomes a usage error (exit 2).
 */

import type { ApiTarget } from '../client/http.ts';
import {
  InvalidTargetError,
  resolveTarget as resolveClientTarget,
  type TargetOptions,
} from '../client/targets.ts';
import { UsageError } from './usage-error.ts';

export {
  ApiError,
  type ApiProblem,
  ApiUnreachableError,
  ConflictError,
  isRecord,
  NotFoundError,
  problems,
  TargetError,
  ValidationError,
} from '../client/errors.ts';
export {
  ApiClient,
  type ApiClientOptions,
  type ApiRequest,
  type ApiResponse,
  type ApiTarget,
  type Authorizer,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_DELAY_MS,
  requestUrl,
  retryDelayMs,
  routePath,
  type WireRequest,
} from '../client/http.ts';
export {
  bearerAuthorizer,
  InvalidTargetError,
  type LocalEndpoints,
  localStackDataDir,
  readLocalEndpoints,
  regionFromApiUrl,
  type TargetOptions,
} from '../client/targets.ts';

/** The client's target for the CLI's options; a badly named one is a usage error. */
export async function resolveTarget(options: TargetOptions, cwd: string = process.cwd()): Promise<ApiTarget> {
  try {
    return await resolveClientTarget(options, cwd);
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
