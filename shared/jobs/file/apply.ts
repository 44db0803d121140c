/**
 * Applying a jobs file: plan it against the jobs the port lists, then write each step through the port,
 * in the plan's order. The port is the API's job operations (the typed client implements it for the
 * CLI and for `tickwork local`), so every write goes through the same use cases and checks as a request.
 * A failed step stops the apply: what was applied stays (each step is a whole job), and the error says
 * which steps were applied and which were not; applying the file again continues from there.
 */
import type { Problem } from '../../errors.ts';
import type { JobDefinition } from '../validation.ts';
import type { ShownJob } from './compare.ts';
import { type Plan, type PlanOptions, type PlanStep, planJobs } from './plan.ts';

/** The API's job operations a jobs file is applied through. */
export interface JobsPort {
  /** Every job, every page. */
  list(): Promise<readonly ShownJob[]>;
  /** POST: refuses a taken name. Resolves with the write's warnings (e.g. a secret that does not exist yet). */
  create(definition: JobDefinition): Promise<readonly Problem[]>;
  /** PUT: creates or replaces the whole job. */
  put(definition: JobDefinition): Promise<readonly Problem[]>;
  delete(name: string): Promise<void>;
}

/**
 * `tickwork apply` is the operator's own tool: what it applies is not marked as managed (the jobs a file
 * manages are the ones `tickwork local` and a stack apply, through the jobs function: shared/jobs/deployed.ts).
 */
export interface ApplyOptions extends PlanOptions {
  /** Plan only; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Told each step as it is applied, with the write's warnings (for progress lines). */
  readonly onApplied?: (step: PlanStep, warnings: readonly Problem[]) => void;
}

export interface ApplyOutcome {
  readonly plan: Plan;
  /** The steps written (none on a dry run). */
  readonly applied: readonly PlanStep[];
}

/** A step failed: `applied` were written before it, `notApplied` (it included) were not; `cause` says why. */
export class JobsApplyError extends Error {
  constructor(
    readonly plan: Plan,
    readonly failed: PlanStep,
    readonly applied: readonly PlanStep[],
    readonly notApplied: readonly PlanStep[],
    options: ErrorOptions,
  ) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${failed.action} of job "${failed.name}" failed: ${why}`, options);
    this.name = 'JobsApplyError';
  }
}

/** Plans `desired` against what the port lists and, unless a dry run, applies it. */
export async function applyJobs(
  port: JobsPort,
  desired: readonly JobDefinition[],
  options: ApplyOptions = {},
): Promise<ApplyOutcome> {
  const plan = planJobs(desired, await port.list(), options);
  if (options.dryRun === true) return { plan, applied: [] };
  return { plan, applied: await applyPlan(port, plan, options) };
}

/** Writes the plan's steps in order; JobsApplyError at the first that fails. */
export async function applyPlan(
  port: JobsPort,
  plan: Plan,
  options: Pick<ApplyOptions, 'onApplied'> = {},
): Promise<PlanStep[]> {
  const applied: PlanStep[] = [];
  for (const [index, step] of plan.steps.entries()) {
    let warnings: readonly Problem[] = [];
    try {
      if (step.action === 'delete') await port.delete(step.name);
      else if (step.action === 'create' && !step.overHistory) warnings = await port.create(step.definition);
      else warnings = await port.put(step.definition);
    } catch (error) {
      throw new JobsApplyError(plan, step, applied, plan.steps.slice(index), { cause: error });
    }
    applied.push(step);
    options.onApplied?.(step, warnings);
  }
  return applied;
}
