/**
 * JobStore in memory, for fast use-case tests. It mirrors `DynamoJobStore` write for write and query for
 * query (the same conditions, indexes, filters and cursors) on a MemoryTable, and the JobStore contract
 * suite (test/contract/job-store.contract.ts) runs against both, so it cannot say what DynamoDB would not.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { ConcurrentModificationError, JobAlreadyExistsError } from '../../errors.ts';
import type { Job, RunLease } from '../../jobs/model.ts';
import type {
  JobIdentity,
  JobQuery,
  JobRunState,
  JobStore,
  LeaseOptions,
  LeaseOutcome,
  OneTimeDefinition,
  Page,
} from '../../jobs/ports.ts';
import { tableDefinitions } from '../../tables.ts';
import { type CursorShape, decodeCursor } from '../dynamodb/cursor.ts';
import { checkLimit, isExpired, JOB_LIST_KEY } from '../dynamodb/job-store.ts';
import {
  leaseIsFree,
  newRunStateItem,
  readRefusal,
  runStateKey,
  sharedHeld,
  stateOwnedBy,
} from '../dynamodb/run-state.ts';
import { type Item, MemoryTable, type TableQuery } from './table.ts';

const BY_NAME = tableDefinitions.jobs.globalSecondaryIndexes[0].indexName;
const BY_KIND = tableDefinitions.jobs.globalSecondaryIndexes[1].indexName;

export class MemoryJobStore implements JobStore {
  readonly #table = new MemoryTable(tableDefinitions.jobs);

  constructor(private readonly clock: Clock) {}

  async get(name: string): Promise<Job | undefined> {
    const item = this.#table.get({ name });
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toJob(item);
  }

  async create(job: Job): Promise<void> {
    if (!this.#putIfAbsent(job)) throw new JobAlreadyExistsError(job.name);
  }

  /** Stores an item as given (as an earlier version wrote it), for tests of reading such data. */
  writeItem(item: Item): void {
    this.#table.put(item);
  }

  async put(job: Job, expectedVersion: number | undefined): Promise<void> {
    if (expectedVersion === undefined) {
      if (!this.#putIfAbsent(job)) throw new ConcurrentModificationError(`job "${job.name}"`);
      return;
    }
    const token = this.#invalidate(job.name);
    // Conditional on the version only, as DynamoJobStore's UpdateItem is.
    const current = this.#table.get({ name: job.name });
    if (current === undefined || current.version !== expectedVersion) {
      throw new ConcurrentModificationError(`job "${job.name}"`);
    }
    // Every attribute is rewritten but a lease an earlier version left on the item (see run-state.ts).
    this.#table.put({ ...toItem(job), ...(current.lease === undefined ? {} : { lease: current.lease }) });
    this.#confirm(job, job.version, token);
  }

  /** DynamoRunStates.invalidate: no version confirmed until this write's confirm. */
  #invalidate(name: string): string {
    const token = randomUUID();
    const state = this.#table.get(runStateKey(name));
    if (state !== undefined) {
      const { jobVersion: _version, ...rest } = state;
      this.#table.put({ ...rest, writer: token });
    }
    return token;
  }

  /** DynamoRunStates.confirm: only while the state is still this write's. */
  #confirm(job: JobIdentity, version: number, token: string): void {
    const state = this.#table.get(runStateKey(job.name));
    if (state === undefined || state.jobCreatedAt !== job.createdAt || state.writer !== token) return;
    const { writer: _writer, ...rest } = state;
    this.#table.put({ ...rest, jobVersion: version });
  }

  async delete(name: string, expectedVersion: number | undefined): Promise<void> {
    this.#invalidate(name);
    const current = this.#table.get({ name });
    if (expectedVersion !== undefined && current?.version !== expectedVersion) {
      throw new ConcurrentModificationError(`job "${name}"`);
    }
    this.#table.delete({ name });
    this.#table.delete(runStateKey(name));
  }

  async list(query: JobQuery): Promise<Page<Job>> {
    checkLimit(query.limit);
    const now = this.clock.now();
    let request: Omit<TableQuery, 'limit' | 'start'>;
    let shape: CursorShape;
    if (query.kind !== undefined) {
      request = { indexName: BY_KIND, partition: query.kind };
      shape = { attributes: ['name', 'kind'], fixed: { kind: query.kind } };
    } else {
      request = { indexName: BY_NAME, partition: JOB_LIST_KEY };
      shape = { attributes: ['name', 'listKey'], fixed: { listKey: JOB_LIST_KEY } };
    }
    if (query.name !== undefined && query.name !== '') {
      request = { ...request, sortKey: { beginsWith: query.name } };
      shape = { ...shape, prefixes: { name: query.name } };
    }
    const enabled = query.enabled;
    request = {
      ...request,
      filter: (item) => !isExpired(item, now) && (enabled === undefined || item.enabled === enabled),
    };
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
    const page = this.#table.page(request, query.limit, start);
    return { ...page, items: page.items.map(toJob) };
  }

  async acquireLease(
    job: JobIdentity,
    lease: RunLease,
    now: Date,
    options: LeaseOptions = {},
  ): Promise<LeaseOutcome> {
    // The rounds of DynamoRunStates.acquire: the conditional write, and on refusal the reading of why.
    for (let round = 0; ; round++) {
      const state = this.#table.get(runStateKey(job.name));
      const held = state?.lease as Partial<RunLease> | undefined;
      if (
        state !== undefined &&
        stateOwnedBy(state, job, options) &&
        leaseIsFree(held, lease, now, options)
      ) {
        this.#table.put({ ...state, lease });
        return { acquired: true };
      }
      const reading = await readRefusal(job, state, async () => this.#table.get({ name: job.name }), options);
      if ('refuse' in reading)
        return sharedHeld(reading.refuse, options) ? { acquired: true } : reading.refuse;
      if (round === 1) return { acquired: false, reason: 'held' };
      const current = this.#table.get(runStateKey(job.name));
      const unchanged =
        reading.replacing === undefined ? current === undefined : current?.jobCreatedAt === reading.replacing;
      if (unchanged) this.#table.put(reading.repair);
    }
  }

  async runStates(names: readonly string[]): Promise<ReadonlyMap<string, JobRunState>> {
    const states = new Map<string, JobRunState>();
    for (const name of names) {
      const state = this.#table.get(runStateKey(name));
      if (state === undefined) continue;
      const lease = state.lease as RunLease | undefined;
      states.set(name, lease === undefined ? {} : { lease });
    }
    return states;
  }

  async markOneTime(
    job: OneTimeDefinition,
    state: 'executed' | 'cancelled',
    expiresAt: number,
    now: Date,
  ): Promise<boolean> {
    // As DynamoJobStore.markOneTime: only a cancel stops confirming the version copies carry.
    const token = state === 'cancelled' ? this.#invalidate(job.name) : undefined;
    const current = this.#table.get({ name: job.name });
    const schedule = current?.schedule as Partial<OneTimeDefinition['schedule']> | undefined;
    // The conditions of DynamoJobStore.markOneTime: the definition the caller read, still scheduled.
    const same =
      current !== undefined &&
      current.createdAt === job.createdAt &&
      schedule?.expression === job.schedule.expression &&
      schedule?.timezone === job.schedule.timezone &&
      (current.oneTimeState === undefined || current.oneTimeState === 'scheduled');
    if (!same) return false;
    const version = Number(current.version ?? 0) + 1;
    this.#table.put({
      ...current,
      oneTimeState: state,
      expiresAt,
      updatedAt: now.toISOString(),
      // A visible state change: a concurrent edit based on the old state must fail.
      version,
    });
    if (token !== undefined) this.#confirm(job, version, token);
    return true;
  }

  /** Writes the job when no live job has the name (an expired one may be replaced); false otherwise. */
  #putIfAbsent(job: Job): boolean {
    const current = this.#table.get({ name: job.name });
    if (current !== undefined && !isExpired(current, this.clock.now())) return false;
    this.#table.put(toItem(job));
    this.#table.put(newRunStateItem(job));
    return true;
  }
}

function toItem(job: Job): Item {
  return { ...job, listKey: JOB_LIST_KEY };
}

function toJob(item: Item): Job {
  const { listKey: _listKey, lease: _lease, ...job } = item;
  return job as unknown as Job;
}
