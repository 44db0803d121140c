/**
 * `tickwork reconcile [--dry-run]`: compares every job with its schedule and repairs drift
 * (missing, stray or differing schedules); with --dry-run it only reports. Drift found by a dry run,
 * or a repair that failed, exits 1, so a scheduled check can alert on it.
 */
import type { ReconcileReport } from '../../client/index.ts';
import { isRecord } from '../api-client.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  clientFor,
  defineCommand,
  type Env,
  printWarnings,
  type TargetFlags,
  targetOptions,
  write,
} from '../api-command.ts';
import { act, type CliCommand, type Parsed, parseCommandLine } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { json } from '../output.ts';
import { reconcileView } from '../render.ts';
import { COMMANDS } from '../summaries.ts';

interface ReconcileFlags extends TargetFlags {
  readonly dryRun?: boolean;
}

export interface ReconcileInvocation extends ClientInvocation<ReconcileReport> {
  readonly dryRun: boolean;
}

export function defineReconcile(
  root: CliCommand,
  env: Env,
  done: (invocation: ReconcileInvocation) => void,
): void {
  const reconcile = root
    .command('reconcile')
    .summary(COMMANDS.reconcile.summary)
    .description(
      'Repair drift between jobs and their schedules: missing, stray or differing schedules.\n' +
        'Exits 1 when --dry-run finds drift or a repair fails.',
    );
  reconcile.option('--dry-run', 'report drift without repairing it');
  addTargetOptions(reconcile);
  act<ReconcileFlags, ReconcileInvocation>(reconcile, done, (_, flags) => {
    const dryRun = flags.dryRun === true;
    return {
      command: 'reconcile',
      dryRun,
      call: (client) => client.reconcile({ dryRun }),
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseReconcileArgs(args: readonly string[], env: Env = {}): Parsed<ReconcileInvocation> {
  return parseCommandLine(['reconcile', ...args], (root, done) => defineReconcile(root, env, done));
}

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Drift a dry run found (schedules missing, stray or differing), and repairs that failed. */
export function reconcileOutcome(report: unknown): { readonly drift: number; readonly errors: number } {
  const answer = isRecord(report) ? report : {};
  return {
    drift: count(answer.missing) + count(answer.stray) + count(answer.differing) + count(answer.legacy),
    errors: count(answer.errors),
  };
}

async function execute(invocation: ReconcileInvocation): Promise<number> {
  const report = await invocation.call(clientFor(invocation.target));
  printWarnings(report);
  const { dryRun } = invocation;
  const { drift, errors } = reconcileOutcome(report);
  if (invocation.json) {
    write(json(report));
  } else {
    const notes = [
      ...(dryRun && drift > 0 ? ['drift found; run `tickwork reconcile` to repair it'] : []),
      ...(errors > 0 ? [`${errors} could not be ${dryRun ? 'checked' : 'repaired'}; see errors above`] : []),
    ];
    write([reconcileView(report), ...notes].join('\n'));
  }
  return (dryRun && drift > 0) || errors > 0 ? EXIT.failed : EXIT.success;
}

export const reconcileCommand = defineCommand({
  name: 'reconcile',
  summary: COMMANDS.reconcile.summary,
  parse: parseReconcileArgs,
  execute,
  context: (invocation) => invocation,
});
