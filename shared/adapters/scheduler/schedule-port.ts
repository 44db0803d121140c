/**
 * SchedulePort on EventBridge Scheduler: one schedule per job, in its kind's schedule group.
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
import type { SchedulePort, ScheduleRef, ScheduleSpec } from '../../jobs/ports.ts';
import type { JobKind } from '../../kinds/registry.ts';
import { type SchedulerRetryOptions, withSchedulerRetry } from './retry.ts';

export interface SchedulerSchedulePortOptions {
  /** Built with `maxAttempts: 1`: retries happen here, on the clock. */
  readonly client: SchedulerClient;
  /** The schedule group of each kind (kindScheduleGroups in shared/schedule-groups.ts). */
  readonly groups: Readonly<Record<JobKind, string>>;
  /**
   * The single group of a deployment from before one group per kind, whose schedules are being moved out
   * (for one version). @default - none
   */
  readonly legacyGroup?: string;
  readonly clock: Clock;
  readonly retry?: SchedulerRetryOptions;
}

/** The service's RetryPolicy when a schedule has none (what GetSchedule's absence means). */
const SERVICE_DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } as const;

/** The CreateSchedule/UpdateSchedule body for a spec: always every field, because Update is a full replace. */
export function toScheduleInput(spec: ScheduleSpec, groupName: string): CreateScheduleInput {
  // The kind is not sent: the group it names holds the schedule.
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

/**
 * A GetSchedule answer as a spec, of the kind whose group it was read from; members the service leaves out
 * take the service's defaults.
 */
export function fromGetScheduleOutput(output: GetScheduleOutput, kind: JobKind): ScheduleSpec {
  const target = output.Target;
  const window = output.FlexibleTimeWindow;
  return {
    name: output.Name ?? '',
    kind,
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
  const { client, groups, legacyGroup, clock } = options;
  const retrying = <T>(operation: string, name: string, group: string, call: () => Promise<T>) =>
    withSchedulerRetry(clock, operation, `schedule "${name}" in group "${group}"`, call, options.retry);

  const create = (input: CreateScheduleInput) =>
    retrying('CreateSchedule', input.Name ?? '', input.GroupName ?? '', () =>
      client.send(new CreateScheduleCommand(input)),
    );
  const update = (input: CreateScheduleInput) =>
    retrying('UpdateSchedule', input.Name ?? '', input.GroupName ?? '', () =>
      client.send(new UpdateScheduleCommand(input)),
    );

  async function get(ref: ScheduleRef): Promise<ScheduleSpec | undefined> {
    const group = groups[ref.kind];
    try {
      const output = await retrying('GetSchedule', ref.name, group, () =>
        client.send(new GetScheduleCommand({ Name: ref.name, GroupName: group })),
      );
      return fromGetScheduleOutput(output, ref.kind);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function deleteIn(group: string, name: string): Promise<void> {
    try {
      await retrying('DeleteSchedule', name, group, () =>
        client.send(new DeleteScheduleCommand({ Name: name, GroupName: group })),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Every schedule name in a group, page by page; a group that does not exist holds none. */
  async function* namesIn(group: string): AsyncIterable<string> {
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      let page: ListSchedulesCommandOutput;
      try {
        page = await retrying('ListSchedules', '*', group, () =>
          client.send(new ListSchedulesCommand({ GroupName: group, NextToken: token, MaxResults: 100 })),
        );
      } catch (error) {
        // The service answers ResourceNotFound for a missing group; writes to it fail on their own, where
        // reconcile reports them.
        if (isNotFound(error)) return;
        throw error;
      }
      for (const summary of page.Schedules ?? []) {
        if (summary.Name !== undefined) yield summary.Name;
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }

  async function createOrUpdate(input: CreateScheduleInput): Promise<void> {
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
  }

  // Migration, for one version: a job written since the upgrade must not keep firing from the old group
  // (with its old expression) beside its new schedule. One more DeleteSchedule per write until then.
  const leaveLegacy = async (name: string) => {
    if (legacyGroup !== undefined) await deleteIn(legacyGroup, name);
  };

  return {
    async put(spec) {
      await createOrUpdate(toScheduleInput(spec, groups[spec.kind]));
      await leaveLegacy(spec.name);
    },

    async delete(ref) {
      await deleteIn(groups[ref.kind], ref.name);
      await leaveLegacy(ref.name);
    },

    get,

    async *list() {
      for (const kind of Object.keys(groups) as JobKind[]) {
        for await (const name of namesIn(groups[kind])) {
          // ListSchedules returns summaries only; reconcile compares whole schedules.
          const spec = await get({ name, kind });
          if (spec !== undefined) yield spec;
        }
      }
    },

    async *listLegacy() {
      if (legacyGroup !== undefined) yield* namesIn(legacyGroup);
    },

    async deleteLegacy(name) {
      if (legacyGroup !== undefined) await deleteIn(legacyGroup, name);
    },
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof SchedulerRequestError && error.code === 'ResourceNotFoundException';
}
