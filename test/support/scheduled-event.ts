/**
 * What Scheduler invokes a job's function with for one slot: the job's schedule's Target.Input (the copy
 * of the job included) with its context attributes substituted. For tests and benches that fire runs as
 * Scheduler does, without the emulator.
 */
import type { Job } from '../../shared/jobs/model.ts';
import type { JobEvent } from '../../shared/jobs/ports.ts';
import { parseJobEvent, scheduleTargetInput } from '../../shared/runs/event.ts';

/** The payload as the function receives it (before its handler parses it). */
export function schedulerPayload(
  job: Job,
  scheduledTime: string,
  executionId = `exec-${scheduledTime}`,
  attempt = 1,
): unknown {
  return JSON.parse(
    scheduleTargetInput(job)
      .replace('<aws.scheduler.scheduled-time>', scheduledTime)
      .replace('<aws.scheduler.execution-id>', executionId)
      .replace('<aws.scheduler.attempt-number>', String(attempt)),
  );
}

/** The event the run lifecycle gets for that payload. */
export function scheduledEvent(job: Job, scheduledTime: string, executionId?: string): JobEvent {
  return parseJobEvent(schedulerPayload(job, scheduledTime, executionId));
}
