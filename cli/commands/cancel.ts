/**
 * `tickwork cancel <runId>`: cancels a pending or running run; a run that already finished is a
 * conflict (exit 4).
 */
import type { Run } from '../../client/index.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  callAndShow,
  defineCommand,
  type Env,
  type TargetFlags,
  targetOptions,
} from '../api-command.ts';
import { act, type CliCommand, type Parsed, parseCommandLine } from '../command-line.ts';
import { checkRunId } from '../names.ts';
import { runDetails } from '../render.ts';
import { COMMANDS } from '../summaries.ts';

export type CancelInvocation = ClientInvocation<Run>;

export function defineCancel(root: CliCommand, env: Env, done: (invocation: CancelInvocation) => void): void {
  const cancel = root
    .command(`cancel ${COMMANDS.cancel.args}`)
    .summary(COMMANDS.cancel.summary)
    .description(
      'Cancel a pending run, or ask a running one to stop at its next step. A finished run cannot be cancelled.',
    );
  addTargetOptions(cancel);
  act<TargetFlags, CancelInvocation>(cancel, done, ([given = ''], flags) => {
    const runId = checkRunId(given);
    return {
      command: 'cancel',
      runId,
      call: (client) => client.runs.cancel(runId),
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseCancelArgs(args: readonly string[], env: Env = {}): Parsed<CancelInvocation> {
  return parseCommandLine(['cancel', ...args], (root, done) => defineCancel(root, env, done));
}

function cancelView(run: Run): string {
  // A running run stops at its next step; until then it only carries the request.
  const pending = run.cancelRequested === true && run.status !== 'cancelled';
  return `run ${String(run.runId)}: ${String(run.status)}${pending ? ' (cancel requested; it stops at its next step)' : ''}\n${runDetails(run)}`;
}

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: COMMANDS.cancel.summary,
  parse: parseCancelArgs,
  execute: (invocation) => callAndShow(invocation, cancelView),
  context: (invocation) => invocation,
});
