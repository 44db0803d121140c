/**
 * Chained jobs (`then`): the shape of the field, the rules that need the other jobs (every name is a
 * job that exists; no cycle), and the jobs that name a given one (a delete must not leave them dangling).
 *
 * A cycle is looked for in the union of both lists: `a` onSuccess→ `b` and `b` onFailure→ `a` can loop
 * as surely as two onSuccess links, so the check cannot tell a safe cycle from an endless one.
 */
import * as z from 'zod/mini';
import type { Clock } from '../clock.ts';
import { JobChainedToError, type Problem, ValidationError } from '../errors.ts';
import type { Job, JobChains } from './model.ts';
import { jobNameSchema } from './name.ts';
import type { JobStore } from './ports.ts';

/** At most this many jobs per list: a run's end starts them one after another in its function. */
export const MAX_CHAINED_JOBS = 10;

/**
 * How many jobs the cycle check reads at most (a breadth-first walk of the `then` graph from the jobs
 * named, one strongly consistent read each). A chain reaching further is refused: the check could not
 * prove it free of cycles, and one run ending would set that many runs going.
 */
export const MAX_CHAIN_REACH = 100;

export const CHAIN_LISTS = ['onSuccess', 'onFailure'] as const;
export type ChainList = (typeof CHAIN_LISTS)[number];

const chainList = z.lazy(() =>
  z
    .array(jobNameSchema)
    .check(
      z.minLength(1, { error: 'must name at least one job; leave the list out to name none' }),
      z.maxLength(MAX_CHAINED_JOBS, { error: `must name at most ${MAX_CHAINED_JOBS} jobs` }),
      (ctx) => {
        const seen = new Set<string>();
        ctx.value.forEach((name, index) => {
          if (seen.has(name)) {
            ctx.issues.push({
              code: 'custom',
              input: name,
              path: [index],
              message: `must not repeat a job of its list; "${name}" is named before`,
            });
          }
          seen.add(name);
        });
      },
    ),
);

/** The `then` field of a definition (and of a patch, which replaces it whole). */
export const chainsSchema = z.lazy(() =>
  z
    .strictObject({
      onSuccess: z.optional(z.readonly(chainList)),
      onFailure: z.optional(z.readonly(chainList)),
    })
    .check(
      z.refine((chains) => chains.onSuccess !== undefined || chains.onFailure !== undefined, {
        error: 'must name jobs in onSuccess or onFailure; leave then out (or null in a PATCH) for no chain',
      }),
    ),
);

/** The jobs `then` names, each with its field (`then.onSuccess.1`), in order. */
export function chainLinks(then: JobChains | undefined): { field: string; target: string }[] {
  if (then === undefined) return [];
  return CHAIN_LISTS.flatMap((list) =>
    (then[list] ?? []).map((target, index) => ({ field: `then.${list}.${index}`, target })),
  );
}

/** Every job `then` names, once. */
function targetsOf(then: JobChains | undefined): string[] {
  return [...new Set(chainLinks(then).map((link) => link.target))];
}

/** A job that can be chained to: stored, and not a deleted one-time job kept as history. */
function live(job: Job | undefined): Job | undefined {
  return job === undefined || job.oneTimeState === 'cancelled' ? undefined : job;
}

/**
 * Checks the `then` of job `name` against the stored jobs before it is written: every job it names
 * exists, and none of them leads back to `name` (the message shows the cycle, `a → b → c → a`; naming
 * itself is the shortest one). Throws one ValidationError with a problem per link that breaks a rule;
 * writes nothing.
 */
export async function checkChains(jobs: JobStore, name: string, then: JobChains | undefined): Promise<void> {
  const links = chainLinks(then);
  if (links.length === 0) return;
  const graph = new ChainGraph(jobs);
  const problems: Problem[] = [];
  for (const { field, target } of links) {
    if (target === name) {
      problems.push({ field, message: `${field} names the job itself, a cycle: ${name} → ${name}` });
      continue;
    }
    if ((await graph.read([target])).get(target) === undefined) {
      problems.push({
        field,
        message: `${field} names job "${target}", which does not exist; create it first`,
      });
      continue;
    }
    const path = await graph.pathTo(target, name);
    if (path !== undefined) {
      problems.push({
        field,
        message: `${field} would form a cycle: ${[name, ...path].join(' → ')}; a chain must not lead back to its job`,
      });
    }
  }
  if (problems.length > 0) throw ValidationError.of(problems);
}

/** The `then` graph as stored, read job by job as a walk reaches it (each job read once per check). */
class ChainGraph {
  readonly #read = new Map<string, Job | undefined>();

  constructor(private readonly jobs: JobStore) {}

  /** Reads the jobs not read yet, together; refuses past MAX_CHAIN_REACH jobs. */
  async read(names: readonly string[]): Promise<ReadonlyMap<string, Job | undefined>> {
    const missing = names.filter((name) => !this.#read.has(name));
    if (this.#read.size + missing.length > MAX_CHAIN_REACH) {
      throw new ValidationError(
        'then',
        `then leads to more than ${MAX_CHAIN_REACH} jobs through their own then; a chain may reach at most ${MAX_CHAIN_REACH} jobs`,
      );
    }
    const found = await Promise.all(missing.map((name) => this.jobs.get(name)));
    missing.forEach((name, index) => {
      this.#read.set(name, live(found[index]));
    });
    return this.#read;
  }

  /**
   * The shortest path of links from `from` to `to` (both included), or undefined when `to` cannot be
   * reached. Breadth first, one round of reads per level; `to`'s own links are not followed (the job
   * being written replaces them).
   */
  async pathTo(from: string, to: string): Promise<string[] | undefined> {
    const previous = new Map<string, string | undefined>([[from, undefined]]);
    let level = [from];
    while (level.length > 0) {
      const read = await this.read(level);
      const next: string[] = [];
      for (const name of level) {
        for (const target of targetsOf(read.get(name)?.then)) {
          if (previous.has(target)) continue;
          previous.set(target, name);
          if (target === to) return unwind(previous, to);
          next.push(target);
        }
      }
      level = next;
    }
    return undefined;
  }
}

function unwind(previous: ReadonlyMap<string, string | undefined>, last: string): string[] {
  const path = [last];
  for (let at = previous.get(last); at !== undefined; at = previous.get(at)) path.unshift(at);
  return path;
}

/**
 * The jobs whose `then` names `name`, by name. There is no reverse index: this pages through every job
 * (a Query of the `jobs-by-name` index, 100 a page), so it costs the read units of all job items, about
 * one per 4 KB of definitions. Only a delete pays it. A sparse index of the jobs that have a `then` would
 * bring it down to those jobs; it is not worth an index (and its writes) while deletes are rare.
 */
export async function jobsChainingTo(jobs: JobStore, name: string): Promise<Job[]> {
  const referrers: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await jobs.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    for (const job of page.items) {
      // A deleted one-time job kept as history never runs again: its links lead nowhere.
      if (live(job) !== undefined && job.name !== name && targetsOf(job.then).includes(name)) {
        referrers.push(job);
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return referrers;
}

/** `then` without the links to `name`; undefined when no link is left. */
export function withoutLinksTo(then: JobChains | undefined, name: string): JobChains | undefined {
  if (then === undefined) return undefined;
  const kept: { -readonly [L in ChainList]?: readonly string[] } = {};
  for (const list of CHAIN_LISTS) {
    const names = (then[list] ?? []).filter((target) => target !== name);
    if (names.length > 0) kept[list] = names;
  }
  return kept.onSuccess === undefined && kept.onFailure === undefined ? undefined : kept;
}

/**
 * Before job `name` is deleted: refuses (JobChainedToError naming them) when other jobs chain to it,
 * unless `unlink`; then rewrites each of them without its links to `name` with `write` (the job
 * service's write, so its schedule's copy of the job follows). Each is read again first: the listing
 * that found it is an index, eventually consistent, and the write is conditional on the version read.
 * One job after another, without a transaction: a delete that fails half way has removed some links
 * and deleted nothing, and is retried whole.
 */
export async function releaseChainsTo(
  deps: { readonly jobs: JobStore; readonly clock: Clock },
  name: string,
  unlink: boolean,
  write: (job: Job, current: Job) => Promise<unknown>,
): Promise<void> {
  const referrers = await jobsChainingTo(deps.jobs, name);
  if (referrers.length === 0) return;
  if (!unlink)
    throw new JobChainedToError(
      name,
      referrers.map((job) => job.name),
    );
  for (const referrer of referrers) {
    const current = await deps.jobs.get(referrer.name);
    if (current === undefined || !targetsOf(current.then).includes(name)) continue;
    const { then: _links, ...rest } = current;
    const then = withoutLinksTo(current.then, name);
    await write(
      {
        ...rest,
        ...(then === undefined ? {} : { then }),
        updatedAt: deps.clock.now().toISOString(),
        version: current.version + 1,
      },
      current,
    );
  }
}
