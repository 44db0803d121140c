/**
 * The schedule operations of the API (Create, Update, Get, Delete, List). They take the wire-shaped
 * request members, validate them like the service and throw the emulator's typed errors; the HTTP
 * adapter only routes and maps.
 */
import { SchedulerConflictError } from './errors.ts';
import { DEFAULT_GROUP, type ScheduleRecord, type ScheduleState, scheduleKey } from './model.ts';
import { compareText, type Page, paginate } from './paging.ts';
import { toRecord } from './records.ts';
import { type LiveSchedule, newLiveSchedule, type SchedulerState, setRecord } from './state.ts';
import type { ListQuery } from './validation/list-query.ts';
import { validateClientToken, validateName, validateOptionalGroupName } from './validation/members.ts';
import { validateScheduleRequest } from './validation/schedule-request.ts';

export interface ScheduleSummary {
  readonly record: ScheduleRecord;
  readonly arn: string;
}

export interface ListSchedulesFilter extends ListQuery {
  readonly groupName: string | undefined;
  readonly state: ScheduleState | undefined;
}

export class ScheduleOperations {
  readonly #state: SchedulerState;

  constructor(state: SchedulerState) {
    this.#state = state;
  }

  async create(nameInput: string, body: unknown): Promise<string> {
    const state = this.#state;
    const name = validateName(nameInput, 'Name');
    const now = state.now();
    const request = validateScheduleRequest(body, now);
    const groupName = request.groupName ?? DEFAULT_GROUP;
    state.requireGroup(groupName);
    const key = scheduleKey(groupName, name);
    const existing = state.schedules.get(key);
    if (existing !== undefined) {
      // A retried CreateSchedule (same ClientToken) succeeds with the schedule it created.
      if (request.clientToken !== undefined && existing.record.clientToken === request.clientToken) {
        return existing.arn;
      }
      throw new SchedulerConflictError(`Schedule ${name} already exists in schedule group ${groupName}.`);
    }
    const record = toRecord(request, groupName, name, now, now, request.clientToken);
    const live = newLiveSchedule(state, key, record, request.schedule);
    state.schedules.set(key, live);
    state.listener?.scheduleChanged(live, now);
    await state.write({ op: 'putSchedule', schedule: record });
    return live.arn;
  }

  /** A full replace, as the service does it: members left out take their defaults. */
  async update(nameInput: string, body: unknown): Promise<string> {
    const state = this.#state;
    const name = validateName(nameInput, 'Name');
    const now = state.now();
    const request = validateScheduleRequest(body, now);
    const groupName = request.groupName ?? DEFAULT_GROUP;
    const live = state.requireSchedule(groupName, name);
    const record = toRecord(request, groupName, name, live.record.creationDate, now, live.record.clientToken);
    setRecord(live, record);
    live.schedule = request.schedule;
    live.version = state.nextVersion();
    state.listener?.scheduleChanged(live, now);
    await state.write({ op: 'putSchedule', schedule: record });
    return live.arn;
  }

  get(nameInput: string, groupInput: unknown): ScheduleSummary {
    const name = validateName(nameInput, 'Name');
    const groupName = validateOptionalGroupName(groupInput, 'GroupName') ?? DEFAULT_GROUP;
    const live = this.#state.requireSchedule(groupName, name);
    return { record: live.record, arn: live.arn };
  }

  async delete(nameInput: string, groupInput: unknown, clientToken: unknown): Promise<void> {
    const name = validateName(nameInput, 'Name');
    const groupName = validateOptionalGroupName(groupInput, 'GroupName') ?? DEFAULT_GROUP;
    validateClientToken(clientToken, 'ClientToken');
    const live = this.#state.requireSchedule(groupName, name);
    this.#state.removeSchedule(live);
    await this.#state.write({ op: 'deleteSchedule', groupName, name });
  }

  /**
   * A GroupName that names no group is ResourceNotFoundException, not an empty page: the API
   * reference lists that error for ListSchedules, and a group is the only resource it references.
   */
  list(filter: ListSchedulesFilter): Page<ScheduleSummary> {
    if (filter.groupName !== undefined) this.#state.requireGroup(filter.groupName);
    const matches: LiveSchedule[] = [];
    for (const live of this.#state.schedules.values()) {
      const record = live.record;
      if (filter.groupName !== undefined && record.groupName !== filter.groupName) continue;
      if (filter.state !== undefined && record.state !== filter.state) continue;
      if (filter.namePrefix !== undefined && !record.name.startsWith(filter.namePrefix)) continue;
      matches.push(live);
    }
    matches.sort((a, b) => compareText(a.key, b.key));
    const page = paginate(matches, (live) => live.key, filter);
    return {
      items: page.items.map((live) => ({ record: live.record, arn: live.arn })),
      nextToken: page.nextToken,
    };
  }
}
