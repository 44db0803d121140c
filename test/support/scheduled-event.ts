/**
 * What Scheduler invokes a job's function with for one slot: the job's schedule's Target.Input (the copy
 * of the job included) with its context attributes substituted. For tests and benches that fire runs as
 * Scheduler does, without the emulator.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
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
  return JSON.parse(targetInputFor(scheduleTargetInput(job), scheduledTime, executionId, attempt));
}

/** A schedule's Target.Input with Scheduler's context attributes substituted, as its target receives it. */
export function targetInputFor(
  input: string,
  scheduledTime: string,
  executionId: string,
  attempt = 1,
): string {
  return input
    .replace('<aws.scheduler.scheduled-time>', scheduledTime)
    .replace('<aws.scheduler.execution-id>', executionId)
    .replace('<aws.scheduler.attempt-number>', String(attempt));
}

/**
 * Delivers one slot of a schedule to its Lambda target once per execution id, all at once and
 * asynchronously (`Event`): Scheduler's at-least-once delivery at its worst.
 */
export async function deliverSlot(
  lambda: LambdaClient,
  target: { readonly Arn?: string | undefined; readonly Input?: string | undefined } | undefined,
  scheduledTime: string,
  executionIds: readonly string[],
): Promise<void> {
  const encoder = new TextEncoder();
  await Promise.all(
    executionIds.map((executionId) =>
      lambda.send(
        new InvokeCommand({
          FunctionName: target?.Arn,
          InvocationType: 'Event',
          Payload: encoder.encode(targetInputFor(target?.Input ?? '', scheduledTime, executionId)),
        }),
      ),
    ),
  );
}

/** The event the run lifecycle gets for that payload. */
export function scheduledEvent(job: Job, scheduledTime: string, executionId?: string): JobEvent {
  return parseJobEvent(schedulerPayload(job, scheduledTime, executionId));
}
