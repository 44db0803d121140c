/**
 * The health tracker: records a job's health as runs end and the sweeper sees slots, and tells the
 * alerts about each change it recorded. Every change is a conditional write from the health read
 * (HealthStore.changeHealth): when a sweep and a run's end see the same change at once, one write
 * wins and only its writer calls `HealthAlerts.changed`.
 */
import type { Clock } from '../clock.ts';
import type { Job, Run } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import type { HealthAlerts, JobHealth } from './model.ts';
import type { HealthStore } from './ports.ts';
import { healthSettings } from './settings.ts';
import { healthAfterRun, healthAfterSlot, type RunVerdict } from './transitions.ts';

export interface HealthDeps {
  readonly store: HealthStore;
  readonly alerts: HealthAlerts;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What a run's final status says about the job: fan-out children count through their parent. */
function verdictOf(run: Run): RunVerdict | undefined {
  if (run.parentRunId !== undefined) return undefined;
  if (run.status === 'succeeded') return 'success';
  if (run.status === 'failed' || run.status === 'timed_out') return 'failure';
  // skipped, cancelled: the job did not run, nothing to say; missed: the sweeper or the delivery records it.
  return undefined;
}

/** A run ended: count it, and record the health it leads to. Safe to repeat for the same run. */
export async function trackRunEnd(deps: HealthDeps, job: Job, run: Run): Promise<void> {
  const verdict = verdictOf(run);
  if (verdict === undefined) return;
  // Keyed by the attempt too: a run a reader ended (timed out) that a later delivery ran again to its end
  // counts that end as well; a repeated delivery of the same end counts nothing.
  const counters = await deps.store.countRun(job, `${run.runId}#${run.attempt}`, verdict);
  if (counters === undefined) return;
  const settings = healthSettings(job, new Date(run.scheduledFor));
  const next = healthAfterRun(counters, settings);
  if (next === counters.health) return;
  const reason =
    next === 'failing'
      ? `${counters.failures} consecutive run(s) failed; the last, ${run.runId}, ended ${run.status}${run.error === undefined ? '' : `: ${run.error.message}`}`
      : `${counters.successes} consecutive run(s) succeeded; the last, ${run.runId}`;
  await change(deps, job, counters.health, next, reason);
}

/** The sweeper or a late delivery saw a slot with no run by its grace (`late`) or deadline (`missed`). */
export async function trackSlot(
  deps: HealthDeps,
  job: Job,
  seen: 'late' | 'missed',
  reason: string,
): Promise<void> {
  const current = await deps.store.health(job);
  if (current === undefined) return;
  const next = healthAfterSlot(current.health, seen);
  if (next !== current.health) await change(deps, job, current.health, next, reason);
}

async function change(
  deps: HealthDeps,
  job: Job,
  from: JobHealth,
  to: JobHealth,
  reason: string,
): Promise<void> {
  const at = deps.clock.now();
  if (!(await deps.store.changeHealth(job, from, to, reason, at))) return;
  try {
    await deps.alerts.changed(job, {
      job: job.name,
      health: to,
      previous: from,
      at: at.toISOString(),
      reason,
    });
  } catch (error) {
    // The change is recorded (the status shows it); an alert that could not be sent must not fail the
    // run or the sweep that saw it, nor make their retries record it again.
    deps.log.error('health alert not sent', {
      job: job.name,
      health: to,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
