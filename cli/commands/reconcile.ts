/**
 * `tickwork reconcile [--dry-run]`: compares every job with its schedule and repairs drift
 * (missing, stray or differing schedules); with --dry-run it only reports (POST /reconcile).
 */
import {
  type ApiInvocation,
  defineCommand,
  type Env,
  type Parsed,
  sendAndShow,
  TARGET_FLAGS,
  targetOptions,
} from '../api-command.ts';
import { expectPositionals, type FlagSpecs, helpText, parseArgs } from '../args.ts';
import { reconcileView } from '../render.ts';

const FLAGS = {
  'dry-run': { kind: 'boolean', help: 'report drift without repairing it' },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

const USAGE = 'tickwork reconcile [--dry-run]';
const SUMMARY =
  'Repair drift between jobs and their schedules: missing, stray or differing schedules (POST /reconcile).';

export function parseReconcileArgs(args: readonly string[], env: Env = {}): Parsed<ApiInvocation> {
  const parsed = parseArgs(args, FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, FLAGS) };
  expectPositionals(parsed.positionals, []);
  const { flags } = parsed;
  return {
    request: { method: 'POST', path: '/reconcile', query: { dryRun: String(flags['dry-run'] === true) } },
    target: targetOptions(flags, env),
    json: flags.json === true,
  };
}

export const reconcileCommand = defineCommand({
  summary: 'report and repair drift between jobs and schedules',
  label: 'reconcile',
  parse: parseReconcileArgs,
  execute: (invocation) => sendAndShow(invocation, reconcileView),
});
