/**
 * `tickwork cancel <runId>`: cancels a pending or running run; a run that already finished is a
 * conflict (exit 4).
 */
import { isRecord, routePath } from '../api-client.ts';
import {
  type ApiInvocation,
  addTargetOptions,
  defineCommand,
  type Env,
  sendAndShow,
  type TargetFlags,
  targetOptions,
} from '../api-command.ts';
import { act, type CliCommand, type Parsed, parseCommandLine } from '../command-line.ts';
import { checkRunId } from '../names.ts';
import { runDetails } from '../render.ts';
import { COMMANDS } from '../summaries.ts';

export function defineCancel(root: CliCommand, env: Env, done: (invocation: ApiInvocation) => void): void {
  const cancel = root
    .command(`cancel ${COMMANDS.cancel.args}`)
    .summary(COMMANDS.cancel.summary)
    .description(
      'Cancel a pending run, or ask a running one to stop at its next step. A finished run cannot be cancelled.',
    );
  addTargetOptions(cancel);
  act<TargetFlags, ApiInvocation>(cancel, done, ([given = ''], flags) => {
    const runId = checkRunId(given);
    return {
      command: 'cancel',
      runId,
      request: { method: 'POST', path: routePath('/runs/{runId}/cancel', { runId }) },
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseCancelArgs(args: readonly string[], env: Env = {}): Parsed<ApiInvocation> {
  return parseCommandLine(['cancel', ...args], (root, done) => defineCancel(root, env, done));
}

function cancelView(body: unknown): string {
  const run = isRecord(body) ? body : {};
  // A running run stops at its next step; until then it only carries the request.
  const pending = run.cancelRequested === true && run.status !== 'cancelled';
  return `run ${String(run.runId)}: ${String(run.status)}${pending ? ' (cancel requested; it stops at its next step)' : ''}\n${runDetails(run)}`;
}

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: COMMANDS.cancel.summary,
  parse: parseCancelArgs,
  execute: (invocation) => sendAndShow(invocation, cancelView),
  context: (invocation) => invocation,
});
