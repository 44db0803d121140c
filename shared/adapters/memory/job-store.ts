/**
 * JobStore in memory, for fast use-case tests. It mirrors `DynamoJobStore` write for write and query for
 * query (the same conditions, indexes, filters and cursors) on a MemoryTable, and the JobStore contract
 * suite (test/contract/job-store.contract.ts) runs against both, so it cannot say what DynamoDB would not.
 */
import type { Clock } from '../../clock.ts';
import { ConcurrentModificationError, JobAlreadyExistsError } from '../../errors.ts';
import type { Job, RunLease } from '../../jobs/model.ts';
import type {
  JobIdentity,
  JobQuery,
  JobStore,
  LeaseOutcome,
  OneTimeDefinition,
  Page,
} from '../../jobs/ports.ts';
import { tableDefinitions } from '../../tables.ts';
import { type CursorShape, decodeCursor } from '../dynamodb/cursor.ts';
import { checkLimit, isExpired, JOB_LIST_KEY, leaseRefusal } from '../dynamodb/job-store.ts';
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

  async put(job: Job, expectedVersion: number | undefined): Promise<void> {
    if (expectedVersion === undefined) {
      if (!this.#putIfAbsent(job)) throw new ConcurrentModificationError(`job "${job.name}"`);
      return;
    }
    // Conditional on the version only, as DynamoJobStore's UpdateItem is.
    const current = this.#table.get({ name: job.name });
    if (current === undefined || current.version !== expectedVersion) {
      throw new ConcurrentModificationError(`job "${job.name}"`);
    }
    // Every attribute is rewritten but the lease: it belongs to the run lifecycle, not to job edits.
    const { lease: _lease, ...fields } = job;
    this.#table.put({ ...toItem(fields), ...(current.lease === undefined ? {} : { lease: current.lease }) });
  }

  async delete(name: string, expectedVersion: number | undefined): Promise<void> {
    const current = this.#table.get({ name });
    if (expectedVersion !== undefined && current?.version !== expectedVersion) {
      throw new ConcurrentModificationError(`job "${name}"`);
    }
    this.#table.delete({ name });
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
    replaceRunId?: string,
  ): Promise<LeaseOutcome> {
    const current = this.#table.get({ name: job.name });
    // A job that does not exist, or another job under the name, gets no lease (and no stub item).
    if (current === undefined || current.createdAt !== job.createdAt) return leaseRefusal(job, current);
    const held = current.lease as Partial<RunLease> | undefined;
    const free =
      held === undefined ||
      // ISO instants compared as strings, as DynamoDB compares them.
      (held.expiresAt !== undefined && held.expiresAt < now.toISOString()) ||
      (replaceRunId !== undefined && held.runId === replaceRunId);
    if (!free) return leaseRefusal(job, current);
    // Not versioned: runs must not make concurrent edits of the job fail.
    this.#table.put({ ...current, lease });
    return { acquired: true };
  }

  async markOneTime(
    job: OneTimeDefinition,
    state: 'executed' | 'cancelled',
    expiresAt: number,
    now: Date,
  ): Promise<boolean> {
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
    this.#table.put({
      ...current,
      oneTimeState: state,
      expiresAt,
      updatedAt: now.toISOString(),
      // A visible state change: a concurrent edit based on the old state must fail.
      version: Number(current.version ?? 0) + 1,
    });
    return true;
  }

  /** Writes the job when no live job has the name (an expired one may be replaced); false otherwise. */
  #putIfAbsent(job: Job): boolean {
    const current = this.#table.get({ name: job.name });
    if (current !== undefined && !isExpired(current, this.clock.now())) return false;
    this.#table.put(toItem(job));
    return true;
  }
}

function toItem(job: Omit<Job, 'lease'>): Item {
  return { ...job, listKey: JOB_LIST_KEY };
}

function toJob(item: Item): Job {
  const { listKey: _listKey, ...job } = item;
  return job as unknown as Job;
}
