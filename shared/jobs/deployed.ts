/**
 * Jobs deployed as code: a source (a stack's jobs custom resource) declares a whole set of jobs, and
 * this use case makes the jobs table hold exactly that set for the source, through the same use cases
 * as the API (replace to upsert by name, delete), so every rule, compensation and schedule write is
 * the API's. Each step is idempotent, which is what CloudFormation's retries and rollbacks need: a
 * repeated apply upserts the same definitions again, and a delete of a job that is gone, or that is no
 * longer the source's, leaves it alone.
 */
import { JobNotFoundError, ValidationError } from '../errors.ts';
import { isPlainObject } from '../validation.ts';
import type { JobChains } from './model.ts';
import { deleteJob, type JobServiceDeps, replaceJob } from './service.ts';

/** One job of a set could not be applied: names it, with the use case's own message (and every problem). */
export class DeployedJobError extends Error {
  constructor(
    readonly jobName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`job "${jobName}": ${message}`, options);
    this.name = 'DeployedJobError';
  }
}

export interface DeployedJobsOutcome {
  /** The jobs written, in the order they were written (a job after the jobs its `then` names). */
  readonly applied: readonly string[];
  /** The jobs of the previous set that are not in this one, deleted. */
  readonly deleted: readonly string[];
}

/**
 * Upserts every definition of `definitions` (API bodies, each with its `name`) as managed by `source`,
 * then deletes the jobs named in `previous` that the new set drops (a job renamed is one of them).
 */
export async function applyDeployedJobs(
  deps: JobServiceDeps,
  source: string,
  definitions: readonly unknown[],
  previous: readonly string[] = [],
): Promise<DeployedJobsOutcome> {
  const byName = definitionsByName(definitions);
  const applied: string[] = [];
  for (const name of chainOrder(byName)) {
    await named(name, () => replaceJob(deps, name, byName.get(name), { source }));
    applied.push(name);
  }
  const dropped = previous.filter((name) => !byName.has(name));
  return { applied, deleted: await deleteDeployedJobs(deps, source, dropped) };
}

/**
 * Deletes the jobs `names` that `source` still manages, a job that chains to another before it; a job
 * that is gone already, or that another writer took over, is left alone. Returns the names deleted.
 */
export async function deleteDeployedJobs(
  deps: JobServiceDeps,
  source: string,
  names: readonly string[],
): Promise<string[]> {
  const current = new Map<string, unknown>();
  for (const name of names) {
    const job = await deps.jobs.get(name);
    if (job !== undefined && job.managedBy === source && job.oneTimeState !== 'cancelled') {
      current.set(name, job);
    }
  }
  const deleted: string[] = [];
  // Referrers first: the reverse of the order in which they could be created.
  for (const name of chainOrder(current).reverse()) {
    try {
      await named(name, () => deleteJob(deps, name, { source }));
      deleted.push(name);
    } catch (error) {
      // Deleted by someone else between the read and the delete: what a delete wants.
      if (!(error instanceof DeployedJobError && error.cause instanceof JobNotFoundError)) throw error;
    }
  }
  return deleted;
}

function definitionsByName(definitions: readonly unknown[]): Map<string, unknown> {
  const byName = new Map<string, unknown>();
  definitions.forEach((definition, index) => {
    const name = isPlainObject(definition) ? definition.name : undefined;
    if (typeof name !== 'string') {
      throw new ValidationError(`jobs[${index}].name`, `jobs[${index}].name must be a job name`);
    }
    if (byName.has(name)) {
      throw new ValidationError(`jobs[${index}].name`, `jobs[${index}]: job "${name}" is defined twice`);
    }
    byName.set(name, definition);
  });
  return byName;
}

/**
 * The names in an order where each job comes after the jobs of the set its `then` names (a write checks
 * that the jobs it chains to exist). A cycle is left in any order: the write refuses it with its message.
 */
function chainOrder(jobs: ReadonlyMap<string, unknown>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const target of chainTargets(jobs.get(name))) if (jobs.has(target)) visit(target);
    order.push(name);
  };
  for (const name of [...jobs.keys()].sort()) visit(name);
  return order;
}

function chainTargets(job: unknown): string[] {
  const then = isPlainObject(job) ? (job.then as JobChains | undefined) : undefined;
  if (!isPlainObject(then)) return [];
  return [then.onSuccess, then.onFailure].flatMap((list) =>
    Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : [],
  );
}

async function named<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ValidationError) {
      const problems = error.details.map((problem) => problem.message).join('; ');
      throw new DeployedJobError(name, problems, { cause: error });
    }
    if (error instanceof Error) throw new DeployedJobError(name, error.message, { cause: error });
    throw error;
  }
}
