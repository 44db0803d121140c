/**
 * The emulator's state and the API operations on it. Every change is applied in memory (so a
 * concurrent request sees it at once), handed to the dispatcher (so timers follow), and written to
 * the journal before the operation resolves (so the HTTP answer comes after persistence).
 * Operations take the wire-shaped request members, validate them like the service and throw the
 * emulator's typed errors; the HTTP adapter only routes and maps.
 */
import type { Schedule } from '../../shared/schedule/index.ts';
import {
  SchedulerConflictError,
  SchedulerNotFoundError,
  SchedulerQuotaError,
  SchedulerValidationError,
} from './errors.ts';
import type { Journal, JournalRecord } from './journal.ts';
import {
  type ArnContext,
  DEFAULT_GROUP,
  type FlexibleTimeWindow,
  type GroupRecord,
  groupArn,
  type PendingRetry,
  type RetryPolicy,
  type ScheduleRecord,
  type ScheduleState,
  scheduleArn,
  scheduleKey,
  type Tag,
} from './model.ts';
import type { ListQuery } from './validation/list-query.ts';
import { validateClientToken, validateName, validateOptionalGroupName } from './validation/members.ts';
import { isObject } from './validation/rules.ts';
import {
  parseExpression,
  type ScheduleRequest,
  validateScheduleRequest,
} from './validation/schedule-request.ts';
import { validateGroupArn, validateTagKeys, validateTags } from './validation/tags.ts';

/** A schedule as the emulator holds it. `version` changes on every update, invalidating queued fires. */
export interface LiveSchedule {
  readonly key: string;
  readonly arn: string;
  record: ScheduleRecord;
  /** The parsed expression; undefined when a stored schedule no longer parses (it is kept, not fired). */
  schedule: Schedule | undefined;
  version: number;
  /** The last slot fired (epoch ms): a restart never fires it again. */
  lastFiredSlot: number | undefined;
  /** Whether the dispatcher's queue holds an entry for the current version (the dispatcher keeps this). */
  queued: boolean;
  /** Persisted retries waiting for their time, by slot (undefined when there are none: the usual case). */
  retries: Map<number, PendingRetry> | undefined;
}

/** What the store tells the dispatcher. */
export interface ScheduleListener {
  /** A schedule was created or replaced; plan its next fire from `now`. */
  scheduleChanged(live: LiveSchedule, now: number): void;
  /** A schedule was deleted; its queued fire is now stale. */
  scheduleDeleted(live: LiveSchedule): void;
}

export interface ScheduleSummary {
  readonly record: ScheduleRecord;
  readonly arn: string;
}

export interface ListSchedulesFilter extends ListQuery {
  readonly groupName: string | undefined;
  readonly state: ScheduleState | undefined;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/** The service's quota of schedule groups per account and Region. */
const MAX_GROUPS = 500;
const DEFAULT_PAGE_SIZE = 100;
/** Compact when the journal holds this many lines more than twice the live state (fire records pile up). */
const DEFAULT_COMPACTION_SLACK = 10_000;

export interface SchedulerStoreOptions {
  readonly journal: Journal;
  readonly arn: ArnContext;
  readonly now: () => number;
  readonly onError: (message: string) => void;
  /**
   * Compact once the journal holds this many lines more than twice the live state.
   * @default 10_000
   */
  readonly compactionSlack?: number;
}

export class SchedulerStore {
  readonly #journal: Journal;
  readonly #arn: ArnContext;
  readonly #now: () => number;
  readonly #onError: (message: string) => void;
  readonly #compactionSlack: number;
  readonly #groups = new Map<string, GroupRecord>();
  readonly #schedules = new Map<string, LiveSchedule>();
  #listener: ScheduleListener | undefined;
  #version = 0;

  constructor(options: SchedulerStoreOptions) {
    this.#journal = options.journal;
    this.#arn = options.arn;
    this.#now = options.now;
    this.#onError = options.onError;
    this.#compactionSlack = options.compactionSlack ?? DEFAULT_COMPACTION_SLACK;
  }

  get scheduleCount(): number {
    return this.#schedules.size;
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  /** Rebuilds the state from journal records (start-up); returns schedules that failed to parse. */
  replay(records: readonly JournalRecord[]): string[] {
    for (const record of records) this.#apply(record);
    const broken: string[] = [];
    for (const live of this.#schedules.values()) {
      try {
        live.schedule = parseExpression(live.record.expression, live.record.timezone);
      } catch (error) {
        live.schedule = undefined;
        broken.push(`${live.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return broken;
  }

  /** The `default` group always exists; on a new data directory it is created (and persisted) here. */
  async ensureDefaultGroup(): Promise<void> {
    if (this.#groups.has(DEFAULT_GROUP)) return;
    const now = this.#now();
    const group: GroupRecord = {
      name: DEFAULT_GROUP,
      creationDate: now,
      lastModificationDate: now,
      tags: [],
    };
    this.#groups.set(DEFAULT_GROUP, group);
    await this.#write({ op: 'putGroup', group });
  }

  /** The journal content that reproduces the current state. */
  snapshot(): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (const group of this.#groups.values()) records.push({ op: 'putGroup', group });
    for (const live of this.#schedules.values()) {
      records.push({ op: 'putSchedule', schedule: live.record });
      if (live.lastFiredSlot !== undefined) {
        records.push({
          op: 'fired',
          groupName: live.record.groupName,
          name: live.record.name,
          slot: live.lastFiredSlot,
        });
      }
      for (const retry of live.retries?.values() ?? []) records.push({ op: 'retryPending', retry });
    }
    return records;
  }

  /** Retries persisted and not yet handled, over all schedules. */
  get pendingRetryCount(): number {
    let count = 0;
    for (const live of this.#schedules.values()) count += live.retries?.size ?? 0;
    return count;
  }

  /** Attaches the dispatcher; it receives every live schedule once. */
  attach(listener: ScheduleListener): void {
    this.#listener = listener;
  }

  schedules(): IterableIterator<LiveSchedule> {
    return this.#schedules.values();
  }

  get(key: string): LiveSchedule | undefined {
    return this.#schedules.get(key);
  }

  // ----- schedules -----

  async createSchedule(nameInput: string, body: unknown): Promise<string> {
    const name = validateName(nameInput, 'Name');
    const now = this.#now();
    const request = validateScheduleRequest(body, now);
    const groupName = request.groupName ?? DEFAULT_GROUP;
    this.#requireGroup(groupName);
    const key = scheduleKey(groupName, name);
    const existing = this.#schedules.get(key);
    if (existing !== undefined) {
      // A retried CreateSchedule (same ClientToken) succeeds with the schedule it created.
      if (request.clientToken !== undefined && existing.record.clientToken === request.clientToken) {
        return existing.arn;
      }
      throw new SchedulerConflictError(`Schedule ${name} already exists in schedule group ${groupName}.`);
    }
    const record = toRecord(request, groupName, name, now, now, request.clientToken);
    const live: LiveSchedule = {
      key,
      arn: scheduleArn(this.#arn, groupName, name),
      record,
      schedule: request.schedule,
      version: ++this.#version,
      lastFiredSlot: undefined,
      queued: false,
      retries: undefined,
    };
    this.#schedules.set(key, live);
    this.#listener?.scheduleChanged(live, now);
    await this.#write({ op: 'putSchedule', schedule: record });
    return live.arn;
  }

  /** A full replace, as the service does it: members left out take their defaults. */
  async updateSchedule(nameInput: string, body: unknown): Promise<string> {
    const name = validateName(nameInput, 'Name');
    const now = this.#now();
    const request = validateScheduleRequest(body, now);
    const groupName = request.groupName ?? DEFAULT_GROUP;
    const live = this.#requireSchedule(groupName, name);
    const record = toRecord(request, groupName, name, live.record.creationDate, now, live.record.clientToken);
    live.record = record;
    live.schedule = request.schedule;
    live.version = ++this.#version;
    this.#listener?.scheduleChanged(live, now);
    await this.#write({ op: 'putSchedule', schedule: record });
    return live.arn;
  }

  getSchedule(nameInput: string, groupInput: unknown): ScheduleSummary {
    const name = validateName(nameInput, 'Name');
    const groupName = validateOptionalGroupName(groupInput, 'GroupName') ?? DEFAULT_GROUP;
    const live = this.#requireSchedule(groupName, name);
    return { record: live.record, arn: live.arn };
  }

  async deleteSchedule(nameInput: string, groupInput: unknown, clientToken: unknown): Promise<void> {
    const name = validateName(nameInput, 'Name');
    const groupName = validateOptionalGroupName(groupInput, 'GroupName') ?? DEFAULT_GROUP;
    validateClientToken(clientToken, 'ClientToken');
    const live = this.#requireSchedule(groupName, name);
    this.#removeSchedule(live);
    await this.#write({ op: 'deleteSchedule', groupName, name });
  }

  /**
   * A GroupName that names no group is ResourceNotFoundException, not an empty page: the API
   * reference lists that error for ListSchedules, and a group is the only resource it references.
   */
  listSchedules(filter: ListSchedulesFilter): Page<ScheduleSummary> {
    if (filter.groupName !== undefined) this.#requireGroup(filter.groupName);
    const matches: LiveSchedule[] = [];
    for (const live of this.#schedules.values()) {
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

  /**
   * Deletes a schedule whose last invocation is done (ActionAfterCompletion DELETE), unless it was
   * changed since that invocation was planned. Returns whether it was deleted.
   */
  async deleteAfterCompletion(key: string, version: number): Promise<boolean> {
    const live = this.#schedules.get(key);
    if (live === undefined || live.version !== version) return false;
    this.#removeSchedule(live);
    await this.#write({ op: 'deleteSchedule', groupName: live.record.groupName, name: live.record.name });
    return true;
  }

  /** Records slots as fired, in one journal write, before their targets are invoked. */
  async markFired(
    fired: ReadonlyArray<{ readonly live: LiveSchedule; readonly slot: number }>,
  ): Promise<void> {
    const records: JournalRecord[] = [];
    for (const { live, slot } of fired) {
      live.lastFiredSlot = slot;
      records.push({ op: 'fired', groupName: live.record.groupName, name: live.record.name, slot });
    }
    await this.#write(records);
  }

  /**
   * Persists a retry of `live`'s slot before its timer is armed. `firstForSlot` writes the schedule
   * snapshot with it; later attempts of the same slot only move the attempt number and time.
   * Nothing is written for a schedule that was deleted meanwhile.
   */
  async savePendingRetry(live: LiveSchedule, retry: PendingRetry, firstForSlot: boolean): Promise<void> {
    if (this.#schedules.get(live.key) !== live) return;
    live.retries ??= new Map();
    live.retries.set(retry.slot, retry);
    if (firstForSlot) {
      await this.#write({ op: 'retryPending', retry });
      return;
    }
    const { record: _record, ...moved } = retry;
    await this.#write({ op: 'retryPending', retry: moved });
  }

  /** The retried event of `live`'s slot was handled: a restart must not re-arm it. */
  async clearPendingRetry(live: LiveSchedule, slot: number): Promise<void> {
    if (live.retries?.delete(slot) !== true) return;
    if (live.retries.size === 0) live.retries = undefined;
    if (this.#schedules.get(live.key) !== live) return;
    await this.#write({ op: 'retryDone', groupName: live.record.groupName, name: live.record.name, slot });
  }

  // ----- groups -----

  async createGroup(nameInput: string, body: unknown): Promise<string> {
    const name = validateName(nameInput, 'Name');
    const members = isObject(body) ? body : {};
    if (body !== undefined && !isObject(body)) {
      throw new SchedulerValidationError('The request body must be a JSON object');
    }
    const tags = validateTags(members.Tags, 'Tags', false);
    const clientToken = validateClientToken(members.ClientToken, 'ClientToken');
    const existing = this.#groups.get(name);
    if (existing !== undefined) {
      if (clientToken !== undefined && existing.clientToken === clientToken) return groupArn(this.#arn, name);
      throw new SchedulerConflictError(`Schedule group ${name} already exists.`);
    }
    if (this.#groups.size >= MAX_GROUPS) {
      throw new SchedulerQuotaError(
        `You have reached the quota of ${MAX_GROUPS} schedule groups per account and Region.`,
      );
    }
    const now = this.#now();
    const group: GroupRecord = compact({
      name,
      creationDate: now,
      lastModificationDate: now,
      tags: mergeTags([], tags),
      clientToken,
    });
    this.#groups.set(name, group);
    await this.#write({ op: 'putGroup', group });
    return groupArn(this.#arn, name);
  }

  getGroup(nameInput: string): GroupRecord {
    return this.#requireGroup(validateName(nameInput, 'Name'));
  }

  /** Deletes the group and every schedule in it (the service does the same, asynchronously). */
  async deleteGroup(nameInput: string, clientToken: unknown): Promise<void> {
    const name = validateName(nameInput, 'Name');
    validateClientToken(clientToken, 'ClientToken');
    if (name === DEFAULT_GROUP) {
      throw new SchedulerValidationError('The default schedule group cannot be deleted.');
    }
    this.#requireGroup(name);
    this.#groups.delete(name);
    for (const live of [...this.#schedules.values()]) {
      if (live.record.groupName === name) this.#removeSchedule(live);
    }
    await this.#write({ op: 'deleteGroup', name });
  }

  listGroups(query: ListQuery): Page<GroupRecord> {
    const matches = [...this.#groups.values()].filter(
      (group) => query.namePrefix === undefined || group.name.startsWith(query.namePrefix),
    );
    matches.sort((a, b) => compareText(a.name, b.name));
    return paginate(matches, (group) => group.name, query);
  }

  groupArn(name: string): string {
    return groupArn(this.#arn, name);
  }

  // ----- tags (schedule groups only, as in the service) -----

  async tagResource(resourceArn: string, body: unknown): Promise<void> {
    const group = this.#groupByArn(resourceArn);
    const tags = validateTags(isObject(body) ? body.Tags : undefined, 'Tags', true);
    const updated: GroupRecord = {
      ...group,
      tags: mergeTags(group.tags, tags),
      lastModificationDate: this.#now(),
    };
    this.#groups.set(group.name, updated);
    await this.#write({ op: 'putGroup', group: updated });
  }

  async untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    const group = this.#groupByArn(resourceArn);
    const keys = new Set(validateTagKeys(tagKeys));
    const updated: GroupRecord = {
      ...group,
      tags: group.tags.filter((tag) => !keys.has(tag.key)),
      lastModificationDate: this.#now(),
    };
    this.#groups.set(group.name, updated);
    await this.#write({ op: 'putGroup', group: updated });
  }

  listTags(resourceArn: string): readonly Tag[] {
    return this.#groupByArn(resourceArn).tags;
  }

  // ----- internals -----

  #groupByArn(resourceArn: string): GroupRecord {
    validateGroupArn(resourceArn);
    const name = resourceArn.slice(resourceArn.lastIndexOf('/') + 1);
    const group = this.#groups.get(name);
    if (group === undefined || groupArn(this.#arn, name) !== resourceArn) {
      throw new SchedulerNotFoundError(`Schedule group ${resourceArn} does not exist.`);
    }
    return group;
  }

  #requireGroup(name: string): GroupRecord {
    const group = this.#groups.get(name);
    if (group === undefined) throw new SchedulerNotFoundError(`Schedule group ${name} does not exist.`);
    return group;
  }

  #requireSchedule(groupName: string, name: string): LiveSchedule {
    this.#requireGroup(groupName);
    const live = this.#schedules.get(scheduleKey(groupName, name));
    if (live === undefined) {
      throw new SchedulerNotFoundError(`Schedule ${name} does not exist in schedule group ${groupName}.`);
    }
    return live;
  }

  #removeSchedule(live: LiveSchedule): void {
    this.#schedules.delete(live.key);
    live.version = ++this.#version;
    this.#listener?.scheduleDeleted(live);
  }

  async #write(records: JournalRecord | readonly JournalRecord[]): Promise<void> {
    await this.#journal.append(records);
    const live = this.#schedules.size + this.#groups.size;
    if (this.#journal.linesSinceCompaction > this.#compactionSlack + 2 * live) {
      this.#journal
        .compact(() => this.snapshot())
        .catch((error: unknown) => {
          this.#onError(
            `journal compaction failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
    }
  }

  /** Replay: every record sets state, so applying one twice is harmless. */
  #apply(record: JournalRecord): void {
    switch (record.op) {
      case 'putGroup':
        this.#groups.set(record.group.name, record.group);
        return;
      case 'deleteGroup':
        this.#groups.delete(record.name);
        for (const [key, live] of this.#schedules) {
          if (live.record.groupName === record.name) this.#schedules.delete(key);
        }
        return;
      case 'putSchedule': {
        const stored = compactRecord(record.schedule);
        const key = scheduleKey(stored.groupName, stored.name);
        const existing = this.#schedules.get(key);
        if (existing !== undefined) {
          existing.record = stored;
          return;
        }
        this.#schedules.set(key, {
          key,
          arn: scheduleArn(this.#arn, stored.groupName, stored.name),
          record: stored,
          schedule: undefined,
          version: ++this.#version,
          lastFiredSlot: undefined,
          queued: false,
          retries: undefined,
        });
        return;
      }
      case 'deleteSchedule':
        this.#schedules.delete(scheduleKey(record.groupName, record.name));
        return;
      case 'fired': {
        const live = this.#schedules.get(scheduleKey(record.groupName, record.name));
        if (live !== undefined) live.lastFiredSlot = Math.max(live.lastFiredSlot ?? record.slot, record.slot);
        return;
      }
      case 'retryPending': {
        const { retry } = record;
        const live = this.#schedules.get(scheduleKey(retry.groupName, retry.name));
        if (live === undefined) return;
        const snapshot = retry.record ?? live.retries?.get(retry.slot)?.record;
        // A line without its snapshot and no earlier one to take it from cannot be retried faithfully.
        if (snapshot === undefined) return;
        live.retries ??= new Map();
        live.retries.set(retry.slot, { ...retry, record: compactRecord(snapshot) });
        return;
      }
      case 'retryDone': {
        const live = this.#schedules.get(scheduleKey(record.groupName, record.name));
        live?.retries?.delete(record.slot);
        if (live?.retries?.size === 0) live.retries = undefined;
        return;
      }
    }
  }
}

/**
 * Strings many schedules share (target and role ARNs, expressions, zones) are kept once: 100,000
 * schedules pointing at one function hold one copy of its ARN, not 100,000.
 */
const interned = new Map<string, string>();
const INTERN_LIMIT = 20_000;

function intern<T extends string | undefined>(value: T): T {
  if (value === undefined) return value;
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  if (interned.size < INTERN_LIMIT) interned.set(value, value);
  return value;
}

const sharedRetryPolicies = new Map<string, RetryPolicy>();
const OFF_WINDOW: FlexibleTimeWindow = Object.freeze({ mode: 'OFF' });

function sharedRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const key = `${policy.maximumRetryAttempts}/${policy.maximumEventAgeInSeconds}`;
  const known = sharedRetryPolicies.get(key);
  if (known !== undefined) return known;
  const frozen = Object.freeze({ ...policy });
  sharedRetryPolicies.set(key, frozen);
  return frozen;
}

function toRecord(
  request: ScheduleRequest,
  groupName: string,
  name: string,
  creationDate: number,
  lastModificationDate: number,
  clientToken: string | undefined,
): ScheduleRecord {
  return compactRecord({
    groupName,
    name,
    expression: request.expression,
    timezone: request.timezone,
    description: request.description,
    state: request.state,
    startDate: request.startDate,
    endDate: request.endDate,
    kmsKeyArn: request.kmsKeyArn,
    target: request.target,
    flexibleTimeWindow: request.flexibleTimeWindow,
    actionAfterCompletion: request.actionAfterCompletion,
    creationDate,
    lastModificationDate,
    clientToken,
  });
}

/**
 * One object shape for every stored schedule, shared parts shared: memory per schedule matters
 * when 100,000 are loaded. Members that are not set are left out (so journal lines carry only
 * what is set).
 */
function compactRecord(record: ScheduleRecord): ScheduleRecord {
  const target = record.target;
  const window = record.flexibleTimeWindow;
  return compact({
    groupName: intern(record.groupName),
    name: record.name,
    expression: intern(record.expression),
    timezone: intern(record.timezone),
    description: record.description,
    state: record.state,
    startDate: record.startDate,
    endDate: record.endDate,
    kmsKeyArn: intern(record.kmsKeyArn),
    target: compact({
      arn: intern(target.arn),
      roleArn: intern(target.roleArn),
      input: target.input,
      retryPolicy: sharedRetryPolicy(target.retryPolicy),
      deadLetterArn: intern(target.deadLetterArn),
      parameters: target.parameters,
    }),
    flexibleTimeWindow: window.mode === 'OFF' ? OFF_WINDOW : window,
    actionAfterCompletion: record.actionAfterCompletion,
    creationDate: record.creationDate,
    lastModificationDate: record.lastModificationDate,
    clientToken: record.clientToken,
  });
}

/** Later tags with the same key replace earlier ones. */
function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** Drops undefined members so journal lines and responses carry only what is set. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = member;
  return out as T;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** NextToken is the (opaque, base64url) key of the last item returned; the next page starts after it. */
function paginate<T>(sorted: T[], keyOf: (item: T) => string, query: ListQuery): Page<T> {
  let start = 0;
  if (query.nextToken !== undefined) {
    const after = decodeToken(query.nextToken);
    start = sorted.findIndex((item) => compareText(keyOf(item), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const size = query.maxResults ?? DEFAULT_PAGE_SIZE;
  const items = sorted.slice(start, start + size);
  const last = items.at(-1);
  const more = start + size < sorted.length;
  return { items, nextToken: more && last !== undefined ? encodeToken(keyOf(last)) : undefined };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(parsed) && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Reported below.
  }
  throw new SchedulerValidationError(
    `Invalid NextToken '${token}': pass the NextToken of the previous response`,
  );
}
