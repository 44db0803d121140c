/**
 * One schedule group per job kind, named `<prefix>-<kind>` (e.g. `tickwork-prod-prompt`): EventBridge
 * Scheduler publishes its metrics per group (dropped, failed, throttled invocations), so a group per kind
 * makes them say which kind suffers. A job's kind never changes, so its schedule never moves between
 * groups. The stack, the local runtime and the functions' composition roots all derive the groups here.
 */
import { JOB_KINDS, type JobKind } from './kinds/registry.ts';

/** The group holding the schedules of one kind. */
export function scheduleGroupOf(prefix: string, kind: JobKind): string {
  return `${prefix}-${kind}`;
}

/** Every kind's group, in registry order. */
export function kindScheduleGroups(prefix: string): Readonly<Record<JobKind, string>> {
  return Object.fromEntries(JOB_KINDS.map((kind) => [kind, scheduleGroupOf(prefix, kind)])) as Record<
    JobKind,
    string
  >;
}
