/** Schedule specs and schedule groups for SchedulePort tests. */
import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ScheduleSpec } from '../../shared/jobs/ports.ts';
import type { JobKind } from '../../shared/kinds/registry.ts';
import { kindScheduleGroups } from '../../shared/schedule-groups.ts';

/** The kind of the specs `scheduleSpec` builds. */
export const SPEC_KIND: JobKind = 'prompt';

/** How a SchedulePort finds the schedule `scheduleSpec(name)` builds. */
export function scheduleRef(name: string): { readonly name: string; readonly kind: JobKind } {
  return { name, kind: SPEC_KIND };
}

/** Creates one schedule group per kind under `prefix` (as the stack does) and answers them. */
export async function createKindScheduleGroups(
  client: SchedulerClient,
  prefix: string,
): Promise<Readonly<Record<JobKind, string>>> {
  const groups = kindScheduleGroups(prefix);
  for (const group of Object.values(groups))
    await client.send(new CreateScheduleGroupCommand({ Name: group }));
  return groups;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** An instant `offsetMs` from now, in whole seconds (Scheduler's dates carry none smaller). */
export function fromNow(offsetMs: number): Date {
  return new Date(Math.ceil((Date.now() + offsetMs) / 1000) * 1000);
}

/**
 * A recurring schedule with every field set, starting tomorrow; override what the test is about. Its
 * dates come from the wall clock, which the emulator's StartDate rule uses: build it when the test runs.
 */
export function scheduleSpec(name: string, overrides: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    name,
    kind: SPEC_KIND,
    expression: 'cron(0 9 ? * MON-FRI *)',
    timezone: 'Europe/Berlin',
    description: 'Weekday mornings',
    state: 'ENABLED',
    startDate: fromNow(DAY_MS),
    endDate: fromNow(90 * DAY_MS),
    flexibleWindowMinutes: 15,
    actionAfterCompletion: 'NONE',
    target: {
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt',
      roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
      input: JSON.stringify({ job: name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:tickwork-test-dlq',
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 },
    },
    ...overrides,
  };
}
