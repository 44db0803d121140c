/**
 * The one-time fill of the due index for jobs stored before it existed. The job store places a job in
 * the index (on its run state) with every write of the job; a job written by an earlier version has no
 * entry until its next write, so no sweep would look at it: its late and missed slots would pass unseen.
 * The sweeper fills the index once per table, before its first sweep in a process (in AWS the first tick
 * after a deploy, locally at `npm start`), and records that it did: later ticks read one item.
 *
 * Idempotent and safe beside job writes and sweeps: an entry is placed only where the run state has none
 * (HealthStore.watchIfUnwatched), from now on (slots before the fill are not looked at, as after any job
 * write). A job paused at the same moment may get an entry; the sweep moves it out at its due time.
 */
import type { Clock } from '../clock.ts';
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
  /** Jobs read (every page of the job list). */
  readonly jobs: number;
  /** Entries placed: jobs that could run and had none. */
  readonly placed: number;
}

const PAGE = 100;

/** Fills the due index unless the table records it was; the report when this call filled it. */
export async function fillDueIndex(deps: DueIndexFillDeps): Promise<DueIndexFillReport | undefined> {
  if (await deps.store.dueIndexFilled()) return undefined;
  const now = deps.clock.now();
  let jobs = 0;
  let placed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.jobs.list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    for (const job of page.items) {
      jobs++;
      if (notRunnableReason(job) !== undefined) continue;
      const due = firstDue(job, now);
      if (due !== undefined && (await deps.store.watchIfUnwatched(job, due))) placed++;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  await deps.store.markDueIndexFilled(now);
  deps.log.info('due index filled', { jobs, placed });
  return { jobs, placed };
}

/** The fill as a sweeper process runs it: until it has completed once, each tick tries it first. */
export class DueIndexFill {
  #done = false;

  constructor(private readonly deps: DueIndexFillDeps) {}

  async ensure(): Promise<void> {
    if (this.#done) return;
    await fillDueIndex(this.deps);
    this.#done = true;
  }
}
