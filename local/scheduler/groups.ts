/**
 * The schedule group operations of the API (Create, Get, Delete, List) and the tag operations, which
 * apply to schedule groups only, as in the service.
 */
import {
  SchedulerConflictError,
  SchedulerNotFoundError,
  SchedulerQuotaError,
  SchedulerValidationError,
} from './errors.ts';
import { DEFAULT_GROUP, type GroupRecord, groupArn, type Tag } from './model.ts';
import { compareText, type Page, paginate } from './paging.ts';
import { compact, mergeTags } from './records.ts';
import type { SchedulerState } from './state.ts';
import type { ListQuery } from './validation/list-query.ts';
import { validateClientToken, validateName } from './validation/members.ts';
import { isObject } from './validation/rules.ts';
import { validateGroupArn, validateTagKeys, validateTags } from './validation/tags.ts';

/** The service's quota of schedule groups per account and Region. */
const MAX_GROUPS = 500;

export class GroupOperations {
  readonly #state: SchedulerState;

  constructor(state: SchedulerState) {
    this.#state = state;
  }

  /** The `default` group always exists; on a new data directory it is created (and persisted) here. */
  async ensureDefault(): Promise<void> {
    const state = this.#state;
    if (state.groups.has(DEFAULT_GROUP)) return;
    const now = state.now();
    const group: GroupRecord = {
      name: DEFAULT_GROUP,
      creationDate: now,
      lastModificationDate: now,
      tags: [],
    };
    state.groups.set(DEFAULT_GROUP, group);
    await state.write({ op: 'putGroup', group });
  }

  async create(nameInput: string, body: unknown): Promise<string> {
    const state = this.#state;
    const name = validateName(nameInput, 'Name');
    const members = isObject(body) ? body : {};
    if (body !== undefined && !isObject(body)) {
      throw new SchedulerValidationError('The request body must be a JSON object');
    }
    const tags = validateTags(members.Tags, 'Tags', false);
    const clientToken = validateClientToken(members.ClientToken, 'ClientToken');
    const existing = state.groups.get(name);
    if (existing !== undefined) {
      if (clientToken !== undefined && existing.clientToken === clientToken) return this.arn(name);
      throw new SchedulerConflictError(`Schedule group ${name} already exists.`);
    }
    if (state.groups.size >= MAX_GROUPS) {
      throw new SchedulerQuotaError(
        `You have reached the quota of ${MAX_GROUPS} schedule groups per account and Region.`,
      );
    }
    const now = state.now();
    const group: GroupRecord = compact({
      name,
      creationDate: now,
      lastModificationDate: now,
      tags: mergeTags([], tags),
      clientToken,
    });
    state.groups.set(name, group);
    await state.write({ op: 'putGroup', group });
    return this.arn(name);
  }

  get(nameInput: string): GroupRecord {
    return this.#state.requireGroup(validateName(nameInput, 'Name'));
  }

  /** Deletes the group and every schedule in it (the service does the same, asynchronously). */
  async delete(nameInput: string, clientToken: unknown): Promise<void> {
    const state = this.#state;
    const name = validateName(nameInput, 'Name');
    validateClientToken(clientToken, 'ClientToken');
    if (name === DEFAULT_GROUP) {
      throw new SchedulerValidationError('The default schedule group cannot be deleted.');
    }
    state.requireGroup(name);
    state.groups.delete(name);
    for (const live of [...state.schedules.values()]) {
      if (live.record.groupName === name) state.removeSchedule(live);
    }
    await state.write({ op: 'deleteGroup', name });
  }

  list(query: ListQuery): Page<GroupRecord> {
    const matches = [...this.#state.groups.values()].filter(
      (group) => query.namePrefix === undefined || group.name.startsWith(query.namePrefix),
    );
    matches.sort((a, b) => compareText(a.name, b.name));
    return paginate(matches, (group) => group.name, query);
  }

  arn(name: string): string {
    return groupArn(this.#state.arn, name);
  }

  async tag(resourceArn: string, body: unknown): Promise<void> {
    const group = this.#byArn(resourceArn);
    const tags = validateTags(isObject(body) ? body.Tags : undefined, 'Tags', true);
    await this.#put({ ...group, tags: mergeTags(group.tags, tags), lastModificationDate: this.#state.now() });
  }

  async untag(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    const group = this.#byArn(resourceArn);
    const keys = new Set(validateTagKeys(tagKeys));
    await this.#put({
      ...group,
      tags: group.tags.filter((tag) => !keys.has(tag.key)),
      lastModificationDate: this.#state.now(),
    });
  }

  listTags(resourceArn: string): readonly Tag[] {
    return this.#byArn(resourceArn).tags;
  }

  async #put(group: GroupRecord): Promise<void> {
    this.#state.groups.set(group.name, group);
    await this.#state.write({ op: 'putGroup', group });
  }

  #byArn(resourceArn: string): GroupRecord {
    validateGroupArn(resourceArn);
    const name = resourceArn.slice(resourceArn.lastIndexOf('/') + 1);
    const group = this.#state.groups.get(name);
    if (group === undefined || this.arn(name) !== resourceArn) {
      throw new SchedulerNotFoundError(`Schedule group ${resourceArn} does not exist.`);
    }
    return group;
  }
}
