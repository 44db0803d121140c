/**
 * `POST /jobs/{name}/backfill {from, to, concurrency?}`: runs every slot of the job's schedule in
 * `[from, to)` — slots before the job was created too — as runs with trigger `backfill`, at most
 * MAX_BACKFILL_SLOTS of them, `concurrency` at a time (the first slot of each lane is started here; each
 * run starts the next slot of its lane when it ends: shared/runs/backfill.ts).
 *
 * Decisions: `to` may not be in the future (a backfill runs past slots; the schedule runs the coming
 * ones); a range with no slot, or more than the bound, is refused rather than cut; a job whose overlap
 * is `skip` backfills one slot at a time (two at once would skip each other); a paused job can be
 * backfilled, as it can be run by hand. Nothing is written before the request is known to be good.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { backfillRunOptions, MAX_BACKFILL_SLOTS, scheduleSlots } from '../runs/backfill.ts';
import { startPendingRun } from '../runs/manual.ts';
import { newRunId } from '../runs/run-id.ts';
import { parseWith } from '../validation.ts';
import type { Run, RunBackfill } from './model.ts';
import { type JobServiceDeps, requireLiveJob } from './service.ts';

/** The most backfill runs of one backfill at once (a job whose overlap is `allow`). */
export const MAX_BACKFILL_CONCURRENCY = 10;

const instant = z.lazy(() =>
  z.iso.datetime({
    offset: true,
    error: 'must be an ISO-8601 instant with a time zone, e.g. "2026-01-31T09:00:00Z"',
  }),
);

export const backfillRequestSchema = z.lazy(() =>
  z.strictObject({
    from: instant,
    to: instant,
    concurrency: z.optional(
      z
        .int({ error: 'must be a whole number' })
        .check(
          z.minimum(1, { error: 'must be at least 1' }),
          z.maximum(MAX_BACKFILL_CONCURRENCY, { error: `must be at most ${MAX_BACKFILL_CONCURRENCY}` }),
        ),
    ),
  }),
);

/** What a backfill request answers: the backfill, and the runs it started (the first of each lane). */
export interface BackfillStarted {
  readonly backfill: RunBackfill & {
    readonly job: string;
    /** Slots in the range: the runs the backfill makes, over time. */
    readonly slots: number;
    readonly firstSlot: string;
    readonly lastSlot: string;
  };
  readonly runs: readonly Run[];
}

export async function backfillJob(
  deps: JobServiceDeps,
  name: string,
  body: unknown,
): Promise<BackfillStarted> {
  const request = parseWith(backfillRequestSchema, body ?? {}, { what: 'the backfill request' });
  const from = new Date(request.from);
  const to = new Date(request.to);
  const now = deps.clock.now();
  if (from.getTime() >= to.getTime()) {
    throw new ValidationError('to', `to must be after from (got from ${request.from}, to ${request.to})`);
  }
  if (to.getTime() > now.getTime()) {
    throw new ValidationError(
      'to',
      `to must not be after now (${now.toISOString()}): a backfill runs past slots; the schedule runs the coming ones`,
    );
  }
  const job = await requireLiveJob(deps, name, 'backfilled');
  const lanes = request.concurrency ?? 1;
  if (lanes > 1 && job.overlap === 'skip') {
    throw new ValidationError(
      'concurrency',
      `concurrency must be 1 for job "${name}": its overlap is skip, so two of its runs at once would skip each other (set overlap to allow to backfill in parallel)`,
    );
  }
  const slots = scheduleSlots(job, { from, to, limit: MAX_BACKFILL_SLOTS + 1 });
  const [first, last] = [slots[0], slots.at(-1)];
  if (first === undefined || last === undefined) {
    throw new ValidationError(
      'from',
      `the range [${request.from}, ${request.to}) holds no slot of job "${name}" (${job.schedule.expression}, ${job.schedule.timezone})`,
    );
  }
  if (slots.length > MAX_BACKFILL_SLOTS) {
    throw new ValidationError(
      'to',
      `the range holds more than ${MAX_BACKFILL_SLOTS.toLocaleString('en-US')} slots of job "${name}" (${job.schedule.expression}, from ${first.toISOString()}); backfill a shorter range at a time`,
    );
  }
  const backfill: RunBackfill = {
    id: newRunId(now),
    from: from.toISOString(),
    to: to.toISOString(),
    lanes,
  };
  const pending = { ...deps, retentionDays: deps.runRetentionDays };
  const runs: Run[] = [];
  for (const slot of slots.slice(0, lanes)) {
    runs.push(await startPendingRun(pending, job, backfillRunOptions(slot, backfill)));
  }
  return {
    backfill: {
      ...backfill,
      job: name,
      slots: slots.length,
      firstSlot: first.toISOString(),
      lastSlot: last.toISOString(),
    },
    runs,
  };
}
