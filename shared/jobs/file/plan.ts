/**
 * The plan of a jobs file against the jobs the API has: what to create, what to change (with a field
 * diff), what is unchanged, and, with `prune`, what to delete. The steps come in the order they can be
 * applied: the API checks a chain's targets when a job is written and refuses to delete a job others
 * chain to, so creates come first (targets before the jobs that chain to them), then changes (likewise,
 * so no step ever sees a cycle that the final state does not have), then deletes (the jobs that chain
 * to another before it).
 */
import { chainLinks } from '../chains.ts';
import type { JobDefinition } from '../validation.ts';
import {
  type Comparable,
  comparableOfDefinition,
  comparableOfShown,
  diffFields,
  type FieldChange,
  type ShownJob,
} from './compare.ts';

export type PlanStep =
  | {
      readonly action: 'create';
      readonly name: string;
      readonly definition: JobDefinition;
      /**
       * A deleted one-time job of that name is kept as history: the job is written over it with PUT
       * (POST refuses a taken name).
       */
      readonly overHistory: boolean;
    }
  | {
      readonly action: 'change';
      readonly name: string;
      readonly definition: JobDefinition;
      readonly changes: readonly FieldChange[];
    }
  | { readonly action: 'delete'; readonly name: string };

export interface Plan {
  /** In the order they are applied. */
  readonly steps: readonly PlanStep[];
  /** The jobs of the file the API has as they are, by name. */
  readonly unchanged: readonly string[];
}

export interface PlanOptions {
  /** Delete the jobs the API has and the file does not. @default false */
  readonly prune?: boolean;
}

/** A link of the file that would lead nowhere once the plan is applied. */
export interface PlanProblem {
  readonly job: string;
  readonly field: string;
  readonly message: string;
}

/** The file names chain targets that neither it nor the API (after the prune) has; nothing was applied. */
export class JobsPlanError extends Error {
  readonly problems: readonly PlanProblem[];

  constructor(problems: readonly PlanProblem[]) {
    super(problems.map((problem) => `job "${problem.job}": ${problem.message}`).join('; '));
    this.name = 'JobsPlanError';
    this.problems = problems;
  }
}

/** True when applying the plan would change nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.steps.length === 0;
}

/**
 * The plan from `current` (every job the API lists) to `desired`. One-time jobs that are over
 * (executed, or deleted and kept as history) are not pruned: they no longer run and expire by themselves.
 */
export function planJobs(
  desired: readonly JobDefinition[],
  current: readonly ShownJob[],
  options: PlanOptions = {},
): Plan {
  const live = new Map(current.filter((job) => job.state !== 'cancelled').map((job) => [job.name, job]));
  const history = new Set(current.filter((job) => job.state === 'cancelled').map((job) => job.name));
  const wanted = new Set(desired.map((definition) => definition.name));
  const stillRuns = (job: ShownJob) => job.state === undefined || job.state === 'scheduled';
  const deleted = options.prune ? current.filter((job) => !wanted.has(job.name) && stillRuns(job)) : [];
  checkLinks(desired, live, new Set(deleted.map((job) => job.name)));

  const creates: PlanStep[] = [];
  const changes: PlanStep[] = [];
  const unchanged: string[] = [];
  for (const definition of desired) {
    const existing = live.get(definition.name);
    if (existing === undefined) {
      creates.push({
        action: 'create',
        name: definition.name,
        definition,
        overHistory: history.has(definition.name),
      });
      continue;
    }
    const diff = diffFields(comparableOfShown(existing), comparableOfDefinition(definition));
    if (diff.length === 0) unchanged.push(definition.name);
    else changes.push({ action: 'change', name: definition.name, definition, changes: diff });
  }
  const desiredTargets = (step: PlanStep) =>
    step.action === 'delete' ? [] : chainLinks(step.definition.then).map((link) => link.target);
  const currentTargets = (step: PlanStep) => chainLinks(live.get(step.name)?.then).map((link) => link.target);
  return {
    steps: [
      ...targetsFirst(creates, desiredTargets),
      ...targetsFirst(changes, desiredTargets),
      // Referrers before their targets: the reverse of targets-first, over the reversed list so that
      // deletes that do not chain keep the API's order.
      ...targetsFirst(
        deleted.map((job): PlanStep => ({ action: 'delete', name: job.name })).reverse(),
        currentTargets,
      ).reverse(),
    ],
    unchanged,
  };
}

/** Every `then` of the file names a job the file has, or one the API keeps (it is not pruned). */
function checkLinks(
  desired: readonly JobDefinition[],
  live: ReadonlyMap<string, ShownJob>,
  deleted: ReadonlySet<string>,
): void {
  const inFile = new Set(desired.map((definition) => definition.name));
  const problems: PlanProblem[] = [];
  for (const definition of desired) {
    for (const { field, target } of chainLinks(definition.then)) {
      if (inFile.has(target)) continue;
      if (deleted.has(target)) {
        problems.push({
          job: definition.name,
          field,
          message: `${field} names job "${target}", which is not in the file and --prune would delete; add it to the file or remove the link`,
        });
      } else if (!live.has(target)) {
        problems.push({
          job: definition.name,
          field,
          message: `${field} names job "${target}", which is neither in the file nor on the API; add it to the file`,
        });
      }
    }
  }
  if (problems.length > 0) throw new JobsPlanError(problems);
}

/**
 * The steps with each one after the steps it links to (`targets`), otherwise in their given order. A
 * cycle among them (which the API would refuse anyway) leaves its steps in the given order.
 */
function targetsFirst(steps: readonly PlanStep[], targets: (step: PlanStep) => string[]): PlanStep[] {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const ordered: PlanStep[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (step: PlanStep) => {
    if (state.has(step.name)) return;
    state.set(step.name, 'visiting');
    for (const target of targets(step)) {
      const next = byName.get(target);
      if (next !== undefined && target !== step.name) visit(next);
    }
    state.set(step.name, 'done');
    ordered.push(step);
  };
  for (const step of steps) visit(step);
  return ordered;
}

export type { Comparable, FieldChange, ShownJob };
