/**
 * SchedulePort on EventBridge Scheduler: one schedule per job in the deployment's schedule group.
 * Works unchanged against the local emulator (the client's endpoint decides where requests go).
 */
import {
  CreateScheduleCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleOutput,
  ListSchedulesCommand,
  type ListSchedulesCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { Clock } from '../../clock.ts';
import { SchedulerRequestError } from '../../errors.ts';
import type { SchedulePort, ScheduleSpec } from '../../jobs/ports.ts';
import { type SchedulerRetryOptions, withSchedulerRetry } from './retry.ts';

export interface SchedulerSchedulePortOptions {
  /** Built with `maxAttempts: 1`: retries happen here, on the clock. */
  readonly client: SchedulerClient;
  /** The deployment's schedule group. */
  readonly groupName: string;
  readonly clock: Clock;
  readonly retry?: SchedulerRetryOptions;
}

/** The service's RetryPolicy when a schedule has none (what GetSchedule's absence means). */
const SERVICE_DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } as const;

/** The CreateSchedule/UpdateSchedule body for a spec: always every field, because Update is a full replace. */
export function toScheduleInput(spec: ScheduleSpec, groupName: string): CreateScheduleInput {
  return {
    Name: spec.name,
    GroupName: groupName,
    ScheduleExpression: spec.expression,
    ScheduleExpressionTimezone: spec.timezone,
    // Scheduler limits Description to 512 characters; the job's description is validated to fit.
    Description: spec.description === '' ? undefined : spec.description,
    State: spec.state,
    StartDate: spec.startDate,
    EndDate: spec.endDate,
    FlexibleTimeWindow:
      spec.flexibleWindowMinutes === undefined
        ? { Mode: 'OFF' }
        : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: spec.flexibleWindowMinutes },
    ActionAfterCompletion: spec.actionAfterCompletion,
    Target: {
      Arn: spec.target.arn,
      RoleArn: spec.target.roleArn,
      Input: spec.target.input,
      RetryPolicy: {
        MaximumRetryAttempts: spec.target.retryPolicy.maximumRetryAttempts,
        MaximumEventAgeInSeconds: spec.target.retryPolicy.maximumEventAgeInSeconds,
      },
      DeadLetterConfig:
        spec.target.deadLetterArn === undefined ? undefined : { Arn: spec.target.deadLetterArn },
    },
  };
}

/** A GetSchedule answer as a spec; members the service leaves out take the service's defaults. */
export function fromGetScheduleOutput(output: GetScheduleOutput): ScheduleSpec {
  const target = output.Target;
  const window = output.FlexibleTimeWindow;
  return {
    name: output.Name ?? '',
    expression: output.ScheduleExpression ?? '',
    timezone: output.ScheduleExpressionTimezone ?? 'UTC',
    description: output.Description ?? '',
    state: output.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    startDate: output.StartDate,
    endDate: output.EndDate,
    flexibleWindowMinutes: window?.Mode === 'FLEXIBLE' ? window.MaximumWindowInMinutes : undefined,
    actionAfterCompletion: output.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
    target: {
      arn: target?.Arn ?? '',
      roleArn: target?.RoleArn ?? '',
      input: target?.Input ?? '',
      deadLetterArn: target?.DeadLetterConfig?.Arn,
      retryPolicy: {
        maximumRetryAttempts:
          target?.RetryPolicy?.MaximumRetryAttempts ?? SERVICE_DEFAULT_RETRY.maximumRetryAttempts,
        maximumEventAgeInSeconds:
          target?.RetryPolicy?.MaximumEventAgeInSeconds ?? SERVICE_DEFAULT_RETRY.maximumEventAgeInSeconds,
      },
    },
  };
}

export function createSchedulerSchedulePort(options: SchedulerSchedulePortOptions): SchedulePort {
  const { client, groupName, clock } = options;
  const retrying = <T>(operation: string, name: string, call: () => Promise<T>): Promise<T> =>
    withSchedulerRetry(clock, operation, `schedule "${name}" in group "${groupName}"`, call, options.retry);

  const create = (input: CreateScheduleInput) =>
    retrying('CreateSchedule', input.Name ?? '', () => client.send(new CreateScheduleCommand(input)));
  const update = (input: CreateScheduleInput) =>
    retrying('UpdateSchedule', input.Name ?? '', () => client.send(new UpdateScheduleCommand(input)));

  async function get(name: string): Promise<ScheduleSpec | undefined> {
    try {
      const output = await retrying('GetSchedule', name, () =>
        client.send(new GetScheduleCommand({ Name: name, GroupName: groupName })),
      );
      return fromGetScheduleOutput(output);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return {
    async put(spec) {
      const input = toScheduleInput(spec, groupName);
      try {
        await create(input);
        return;
      } catch (error) {
        if (!(error instanceof SchedulerRequestError && error.code === 'ConflictException')) throw error;
      }
      try {
        await update(input);
      } catch (error) {
        // Deleted between our Create and Update (e.g. a one-time schedule completing): create it again.
        if (!isNotFound(error)) throw error;
        await create(input);
      }
    },

    async delete(name) {
      try {
        await retrying('DeleteSchedule', name, () =>
          client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName })),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    get,

    async *list() {
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        let page: ListSchedulesCommandOutput;
        try {
          page = await retrying('ListSchedules', '*', () =>
            client.send(
              new ListSchedulesCommand({ GroupName: groupName, NextToken: token, MaxResults: 100 }),
            ),
          );
        } catch (error) {
          // A group that does not exist holds no schedules (the service answers ResourceNotFound);
          // writes to it fail on their own, where reconcile reports them.
          if (isNotFound(error)) return;
          throw error;
        }
        for (const summary of page.Schedules ?? []) {
          if (summary.Name === undefined) continue;
          // ListSchedules returns summaries only; reconcile compares whole schedules.
          const spec = await get(summary.Name);
          if (spec !== undefined) yield spec;
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    },
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof SchedulerRequestError && error.code === 'ResourceNotFoundException';
}
