/**
 * `tickwork apply -f <file|dir> [--dry-run] [--prune] [--stage s]`: brings the API's jobs to what a jobs
 * file says. Prints the plan (`+` create, `~` change with the fields that differ, `-` delete), then
 * applies it through the API. `--dry-run` exits 0 when nothing would change and 1 (drift) when
 * something would, like `terraform plan -detailed-exitcode`. A bad file exits 2 with a
 * `file:line:col: field: rule` line per problem, before any request.
 */
import { TickworkClient } from '../../client/index.ts';
import { applyPlan, JobsApplyError } from '../../shared/jobs/file/apply.ts';
import { JobsFileError } from '../../shared/jobs/file/errors.ts';
import { loadJobsFile } from '../../shared/jobs/file/load.ts';
import {
  isEmptyPlan,
  JobsPlanError,
  type Plan,
  type PlanStep,
  planJobs,
} from '../../shared/jobs/file/plan.ts';
import { planLines, planSummary } from '../../shared/jobs/file/render.ts';
import type { TargetOptions } from '../api-client.ts';
import { ApiError } from '../api-client.ts';
import {
  addTargetOptions,
  defineCommand,
  type Env,
  reportError,
  type TargetFlags,
  targetOptions,
  write,
} from '../api-command.ts';
import { describeApiError } from '../api-errors.ts';
import { act, type CliCommand, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { clientJobsPort } from '../jobs-port.ts';
import { json } from '../output.ts';
import { COMMANDS } from '../summaries.ts';

export interface ApplyInvocation {
  readonly command: 'apply';
  readonly file: string;
  readonly dryRun: boolean;
  readonly prune: boolean;
  readonly stage?: string;
  readonly target: TargetOptions;
  readonly json: boolean;
}

interface ApplyFlags extends TargetFlags {
  readonly file?: string;
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly stage?: string;
}

function defineApply(root: CliCommand, env: Env, done: (invocation: ApplyInvocation) => void): void {
  const apply = root
    .command('apply')
    .summary(COMMANDS.apply.summary)
    .description(
      "Make the API's jobs what a jobs file (tickwork.jobs.yaml) says: create the jobs it adds, change\n" +
        'the ones that differ, and with --prune delete the jobs it does not name. Prints the plan first.\n' +
        'Exit codes: 0 applied (or, with --dry-run, nothing would change); 1 --dry-run found drift, or\n' +
        'the API failed a step; 2 the file breaks a rule (file:line:col: field: rule), or a usage error.',
    );
  valueOption(apply, '-f, --file <PATH>', 'the jobs file, or a directory of *.yaml/*.yml files');
  apply.option('--dry-run', 'print the plan without applying it; exit 1 when it would change something');
  apply.option('--prune', 'delete the jobs the file does not name');
  valueOption(apply, '--stage <STAGE>', "merge the file's stages.<STAGE> overrides over its jobs");
  addTargetOptions(apply);
  act<ApplyFlags, ApplyInvocation>(apply, done, (_, flags, command) => {
    if (flags.file === undefined) command.error('-f, --file <PATH> is required: the jobs file to apply');
    return {
      command: 'apply',
      file: flags.file as string,
      dryRun: flags.dryRun === true,
      prune: flags.prune === true,
      ...(flags.stage === undefined ? {} : { stage: flags.stage }),
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseApplyArgs(args: readonly string[], env: Env = {}): Parsed<ApplyInvocation> {
  return parseCommandLine(['apply', ...args], (root, done) => defineApply(root, env, done));
}

async function execute(invocation: ApplyInvocation): Promise<number> {
  let desired: ReturnType<typeof loadJobsFile>;
  try {
    desired = loadJobsFile(
      invocation.file,
      invocation.stage === undefined ? {} : { stage: invocation.stage },
    );
  } catch (error) {
    if (!(error instanceof JobsFileError)) throw error;
    reportError('apply', [
      `${invocation.file} breaks ${error.problems.length} rule(s); nothing was applied`,
      ...error.lines(),
    ]);
    return EXIT.usage;
  }
  // A stage the file does not declare would silently apply the base jobs: a typo must not deploy them.
  if (invocation.stage !== undefined && !desired.stages.includes(invocation.stage)) {
    reportError('apply', [
      `--stage "${invocation.stage}": ${invocation.file} declares no overrides for it (its stages: ${desired.stages.join(', ') || 'none'}); nothing was applied`,
    ]);
    return EXIT.usage;
  }
  const port = clientJobsPort(new TickworkClient(invocation.target));
  try {
    const plan = planJobs(desired.jobs, await port.list(), { prune: invocation.prune });
    if (!invocation.json) write([...planLines(plan), planSummary(plan)].join('\n'));
    if (invocation.dryRun || isEmptyPlan(plan)) {
      if (invocation.json) write(json(planJson(plan, [])));
      return isEmptyPlan(plan) ? EXIT.success : EXIT.drift;
    }
    const applied = await applyPlan(port, plan, {
      onApplied: (step, warnings) => {
        for (const warning of warnings)
          process.stderr.write(`warning: job "${step.name}": ${warning.message}\n`);
      },
    });
    write(invocation.json ? json(planJson(plan, applied)) : `Applied: ${applied.length} step(s).`);
    return EXIT.success;
  } catch (error) {
    return reportApplyFailure(error);
  }
}

/** A plan or apply failure as stderr lines and an exit code; other errors propagate. */
export function reportApplyFailure(error: unknown, command = 'apply'): number {
  if (error instanceof JobsPlanError) {
    reportError(command, [
      'the file chains to jobs that will not exist; nothing was applied',
      ...error.problems.map((problem) => `job "${problem.job}": ${problem.message}`),
    ]);
    return EXIT.usage;
  }
  if (!(error instanceof JobsApplyError)) throw error;
  const cause = error.cause;
  const why =
    cause instanceof ApiError
      ? describeApiError(cause, { command, job: error.failed.name })
      : [cause instanceof Error ? cause.message : String(cause)];
  reportError(command, [
    `${error.failed.action} of job "${error.failed.name}" failed: ${why[0] ?? ''}`,
    ...why.slice(1),
    `applied: ${names(error.applied)}`,
    `not applied: ${names(error.notApplied)}`,
  ]);
  return exitCodeFor(cause) ?? EXIT.failed;
}

function names(steps: readonly PlanStep[]): string {
  return steps.length === 0 ? 'none' : steps.map((step) => `${step.action} ${step.name}`).join(', ');
}

function planJson(plan: Plan, applied: readonly PlanStep[]) {
  return {
    steps: plan.steps.map((step) => ({
      action: step.action,
      name: step.name,
      ...(step.action === 'change' ? { changes: step.changes } : {}),
    })),
    unchanged: plan.unchanged,
    applied: applied.map((step) => step.name),
  };
}

export const applyCommand = defineCommand({
  name: 'apply',
  summary: COMMANDS.apply.summary,
  parse: parseApplyArgs,
  execute,
  context: (invocation) => ({ command: invocation.command }),
});
