/**
 * The one-time fill of the due index for jobs stored before it existed. The job store places a job in
 * the index (on its run state) with every write of the job; a job written by an earlier version has no
 * entry until its next write, so no sweep would look at it: its late and missed slots would pass unseen.
 * The sweeper fills the index once per table, before its sweep (in AWS from the first tick after a
 * deploy, locally at `npm start`), a bounded number of pages per tick, recording after each page how far
 * it got (a crash or a timeout goes on from there), and at the end that it completed: later ticks read
 * one item.
 *
 * Idempotent and safe beside job writes and sweeps: an entry is placed only where the run state has none
 * (HealthStore.watchIfUnwatched), from now on (slots before the fill are not looked at, as after any job
 * write). A job paused at the same moment may get an entry; the sweep moves it out at its due time.
 */
import type { Clock } from '../clock.ts';
import type { Job } from '../jobs/model.ts';
import type { JobStore } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { notRunnableReason } from '../runs/start.ts';
import { firstDue } from './due.ts';
import type { HealthStore } from './ports.ts';

export interface DueIndexFillDeps {
  readonly jobs: JobStore;
  readonly store: HealthStore;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface DueIndexFillReport {
  /** Jobs read by this call. */
  readonly jobs: number;
  /** Entries placed by this call: jobs that could run and had none. */
  readonly placed: number;
  /** Whether the fill has completed (false: the next call goes on from where this one stopped). */
  readonly done: boolean;
}

/** Jobs per page of the walk, and how many of a page are placed at once. */
const PAGE = 100;
const CONCURRENCY = 10;
/**
 * Pages one call walks at most (5,000 jobs, a few seconds): the rest waits for the next tick, so the
 * sweeper's minute (and its 60 s timeout) is never spent on a large table. Progress is recorded after
 * every page.
 */
export const MAX_FILL_PAGES = 50;

/**
 * Goes on with the fill from where the table records it stopped, for at most `maxPages` pages; undefined
 * when the table records it completed.
 */
export async function fillDueIndex(
  deps: DueIndexFillDeps,
  maxPages = MAX_FILL_PAGES,
): Promise<DueIndexFillReport | undefined> {
  const state = await deps.store.dueIndexFill();
  if (state?.filledAt !== undefined) return undefined;
  const now = deps.clock.now();
  let cursor = state?.cursor;
  let jobs = 0;
  let placed = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await deps.jobs.list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    for (let i = 0; i < page.items.length; i += CONCURRENCY) {
      const placements = await Promise.all(
        page.items.slice(i, i + CONCURRENCY).map((job) => place(deps, job, now)),
      );
      placed += placements.filter(Boolean).length;
    }
    jobs += page.items.length;
    cursor = page.nextCursor;
    if (cursor === undefined) {
      // A table with no job at all (a new stack) is left as it is: the next process walks it again, one
      // Query, until it has jobs (written by this version, so indexed) and records the fill.
      if (jobs === 0 && state === undefined) return { jobs, placed, done: true };
      await deps.store.recordDueIndexFill({ filledAt: now.toISOString() });
      deps.log.info('due index filled', { jobs, placed });
      return { jobs, placed, done: true };
    }
    await deps.store.recordDueIndexFill({ cursor });
  }
  deps.log.info('due index fill goes on at the next sweep', { jobs, placed });
  return { jobs, placed, done: false };
}

/** Places `job` in the due index if it could run and has no entry; true when this call placed it. */
async function place(deps: DueIndexFillDeps, job: Job, now: Date): Promise<boolean> {
  if (notRunnableReason(job) !== undefined) return false;
  const due = firstDue(job, now);
  return due !== undefined && deps.store.watchIfUnwatched(job, due);
}

/** The fill as a sweeper process runs it: each tick goes on with it until it has completed. */
export class DueIndexFill {
  #done = false;

  constructor(private readonly deps: DueIndexFillDeps) {}

  async ensure(): Promise<void> {
    if (this.#done) return;
    const report = await fillDueIndex(this.deps);
    this.#done = report === undefined || report.done;
  }
}
