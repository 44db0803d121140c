/**
 * The construct's schedule groups: one per job kind (`tickwork-<stage>-<kind>`, named in
 * shared/schedule-groups.ts), so Scheduler's per-group metrics are per kind, and the single group of
 * earlier versions (`tickwork-<stage>`), kept for one version so its schedules can be moved out.
 */
import { Arn, Aws, type Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { nagArn } from '../infra/nag.ts';
import { pascalCase } from '../infra/naming.ts';
import { ENV, legacyScheduleGroupName, scheduleGroupPrefix } from '../shared/config.ts';
import { JOB_KINDS, type JobKind } from '../shared/kinds/registry.ts';
import { scheduleGroupOf } from '../shared/schedule-groups.ts';

export interface TickworkScheduleGroups {
  readonly byKind: Readonly<Record<JobKind, ScheduleGroup>>;
  /** Removing it would delete whatever schedules are still in it: drop it one version after the move. */
  readonly legacy: ScheduleGroup;
}

export function addScheduleGroups(scope: Construct, stage: string): TickworkScheduleGroups {
  // The construct id of the single group of earlier versions: CloudFormation keeps it (and the schedules
  // in it) through the upgrade, until reconcile has moved them.
  const legacy = new ScheduleGroup(scope, 'ScheduleGroup', {
    scheduleGroupName: legacyScheduleGroupName(stage),
  });
  const prefix = scheduleGroupPrefix(stage);
  const byKind = Object.fromEntries(
    JOB_KINDS.map((kind) => [
      kind,
      new ScheduleGroup(scope, `${pascalCase(kind)}ScheduleGroup`, {
        scheduleGroupName: scheduleGroupOf(prefix, kind),
      }),
    ]),
  ) as Record<JobKind, ScheduleGroup>;
  return { byKind, legacy };
}

/** What a function that writes schedules is told about the groups (read once by shared/config.ts). */
export function scheduleGroupEnvironment(
  stage: string,
  groups: TickworkScheduleGroups,
): Record<string, string> {
  return {
    [ENV.scheduleGroupPrefix]: scheduleGroupPrefix(stage),
    [ENV.legacyScheduleGroup]: groups.legacy.scheduleGroupName,
  };
}

/**
 * The schedule grants of a function that writes jobs (the API, the jobs custom resource): read, write and
 * delete in each kind's group, and only delete in the legacy group (to move its schedules out).
 */
export function grantScheduleGroups(fn: IFunction, groups: TickworkScheduleGroups): void {
  for (const group of Object.values(groups.byKind)) {
    group.grants.readSchedules(fn);
    group.grants.writeSchedules(fn);
    group.grants.deleteSchedules(fn);
  }
  groups.legacy.grants.deleteSchedules(fn);
}

/**
 * The schedule grants' wildcards (`schedule/<group>/*`, one per group) as cdk-nag prints them, each with
 * `reason` completed by its group.
 */
export function schedulesNagReasons(
  stack: Stack,
  groups: TickworkScheduleGroups,
  reason: string,
): Record<string, string> {
  return Object.fromEntries([
    ...Object.values(groups.byKind).map((group) => [
      nagArn(stack, group, schedulesArn(group)),
      `${reason} its kind's group (${group.scheduleGroupName}).`,
    ]),
    [
      nagArn(stack, groups.legacy, schedulesArn(groups.legacy)),
      `${reason} the old single group (${groups.legacy.scheduleGroupName}), for DeleteSchedule only: ` +
        "reconcile moves its schedules to their kinds' groups.",
    ],
  ]);
}

/** ARN of every schedule in a group, written exactly as the group's grants write it. */
function schedulesArn(group: ScheduleGroup): string {
  return Arn.format({
    partition: Aws.PARTITION,
    region: group.env.region,
    account: group.env.account,
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${group.scheduleGroupRef.scheduleGroupName}/*`,
  });
}
