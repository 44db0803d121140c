/**
 * The typed client (`tickwork/client`) for the CLI's watching and bulk commands, on the target the
 * command's flags name.
 */
import { type Job, type Run, TickworkClient } from '../client/index.ts';
import { resolveTarget, type TargetOptions } from './api-client.ts';

export type { Job, Run };

/**
 * A client for `target`. The target is resolved here first, through the CLI's own resolver, so a badly
 * named one (`--url`, `--region`) is a usage error (exit 2) as for every other command.
 */
export async function typedClient(target: TargetOptions): Promise<TickworkClient> {
  await resolveTarget(target);
  return new TickworkClient({ ...target });
}
