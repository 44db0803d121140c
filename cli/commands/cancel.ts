/**
 * `tickwork cancel <runId>`: cancels a pending or running run (POST /runs/{runId}/cancel); the API
 * answers 409 when the run has already finished.
 */
import { isRecord, routePath } from '../api-client.ts';
import {
  type ApiInvocation,
  defineCommand,
  type Env,
  type Parsed,
  sendAndShow,
  TARGET_FLAGS,
  targetOptions,
} from '../api-command.ts';
import { expectPositionals, helpText, parseArgs } from '../args.ts';
import { runDetails } from '../render.ts';

const USAGE = 'tickwork cancel <runId>';
const SUMMARY = 'Cancel a pending or running run (POST /runs/{runId}/cancel).';

export function parseCancelArgs(args: readonly string[], env: Env = {}): Parsed<ApiInvocation> {
  const parsed = parseArgs(args, TARGET_FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, TARGET_FLAGS) };
  const [runId] = expectPositionals(parsed.positionals, ['runId']) as [string];
  return {
    request: { method: 'POST', path: routePath('/runs/{runId}/cancel', { runId }) },
    target: targetOptions(parsed.flags, env),
    json: parsed.flags.json === true,
  };
}

function cancelView(body: unknown): string {
  const run = isRecord(body) ? body : {};
  // A running run stops at its next step; until then it only carries the request.
  const pending = run.cancelRequested === true && run.status !== 'cancelled';
  return `run ${String(run.runId)}: ${String(run.status)}${pending ? ' (cancel requested; it stops at its next step)' : ''}\n${runDetails(run)}`;
}

export const cancelCommand = defineCommand({
  summary: 'cancel a pending or running run',
  label: 'cancel',
  parse: parseCancelArgs,
  execute: (invocation) => sendAndShow(invocation, cancelView),
});
