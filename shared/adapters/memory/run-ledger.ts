/**
 * RunLedger in memory, for fast use-case tests. It mirrors `DynamoRunLedger` write for write and query
 * for query on a MemoryTable, and the RunLedger contract suite (test/contract/run-ledger.contract.ts)
 * runs against both. Runs come back as stored: settling stale ones is the domain's (shared/runs/settle.ts).
 */
import type { Clock } from '../../clock.ts';
import type { ChildStatus, Run, RunStatus } from '../../jobs/model.ts';
import type {
  ChildrenQuery,
  ClaimOutcome,
  Page,
  RunKey,
  RunLedger,
  RunQuery,
  RunState,
  TransitionGuard,
} from '../../jobs/ports.ts';
import { tableDefinitions } from '../../tables.ts';
import { type CursorShape, decodeCursor } from '../dynamodb/cursor.ts';
import { checkLimit, isExpired } from '../dynamodb/job-store.ts';
import { childrenCursorShape, childSlotPrefix } from '../dynamodb/run-children.ts';
import { queriedStatuses, RUN_LIST_KEY, toRunState } from '../dynamodb/run-ledger.ts';
import { type Item, MemoryTable, stored, type TableQuery } from './table.ts';

const BY_ID = tableDefinitions.runs.globalSecondaryIndexes[0].indexName;

/** The identity of a run never changes after the claim. */
const IMMUTABLE_RUN_FIELDS: ReadonlySet<string> = new Set(['job', 'slot', 'runId', 'listKey']);

export class MemoryRunLedger implements RunLedger {
  readonly #table = new MemoryTable(tableDefinitions.runs);

  constructor(private readonly clock: Clock) {}

  async claim(run: Run): Promise<ClaimOutcome> {
    // An expired run not yet deleted still owns its slot: at most one run per slot.
    const existing = this.#table.get({ job: run.job, slot: run.slot });
    if (existing !== undefined) return { claimed: false, existing: toRun(existing) };
    this.#table.put({ ...run, listKey: RUN_LIST_KEY });
    return { claimed: true };
  }

  async recordDuplicate(job: string, slot: string): Promise<void> {
    const current = this.#table.get({ job, slot });
    if (current === undefined) return;
    this.#table.put({ ...current, duplicatesSuppressed: Number(current.duplicatesSuppressed ?? 0) + 1 });
  }

  async transition(
    job: string,
    slot: string,
    from: readonly RunStatus[],
    changes: Partial<Run>,
    guard?: TransitionGuard,
  ): Promise<Run | undefined> {
    // The same programming errors, in the same order, as DynamoRunLedger raises them.
    if (from.length === 0) throw new Error('transition needs at least one status to move from');
    const entries = Object.entries(changes);
    for (const [attribute] of entries) {
      if (IMMUTABLE_RUN_FIELDS.has(attribute)) throw new Error(`a run's ${attribute} cannot change`);
    }
    if (entries.length === 0) throw new Error('transition needs at least one change');
    const current = this.#table.get({ job, slot });
    if (current === undefined || !from.includes(current.status as RunStatus)) return undefined;
    if (guard?.attempt !== undefined && current.attempt !== guard.attempt) return undefined;
    const next: Item = { ...current };
    for (const [attribute, value] of entries) {
      if (value === undefined) delete next[attribute];
      else next[attribute] = value;
    }
    const written = stored(next);
    this.#table.put(written);
    return toRun(written);
  }

  async get(job: string, slot: string): Promise<Run | undefined> {
    const item = this.#table.get({ job, slot });
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toRun(item);
  }

  async getState(job: string, slot: string): Promise<RunState | undefined> {
    const item = this.#table.get({ job, slot });
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toRunState(item);
  }

  async getById(runId: string): Promise<Run | undefined> {
    const now = this.clock.now();
    const { items } = this.#table.query({
      indexName: BY_ID,
      partition: RUN_LIST_KEY,
      sortKey: { equals: runId },
      filter: (item) => !isExpired(item, now),
      limit: Number.POSITIVE_INFINITY,
    });
    const item = items[0];
    return item === undefined ? undefined : toRun(item);
  }

  async getMany(keys: readonly RunKey[]): Promise<Run[]> {
    const now = this.clock.now();
    const runs: Run[] = [];
    for (const { job, slot } of keys) {
      const item = this.#table.get({ job, slot });
      if (item !== undefined && !isExpired(item, now)) runs.push(toRun(item));
    }
    return runs;
  }

  async list(query: RunQuery): Promise<Page<Run>> {
    checkLimit(query.limit);
    const now = this.clock.now();
    const live = (item: Item) => !isExpired(item, now);
    let request: Omit<TableQuery, 'limit' | 'start'>;
    let shape: CursorShape;
    const statuses = queriedStatuses(query);
    const filter = (item: Item) =>
      live(item) && (statuses.length === 0 || statuses.includes(item.status as RunStatus));
    if (query.job !== undefined) {
      // One job's runs: the table itself, slots (scheduled times) descending.
      request = { partition: query.job, filter };
      shape = { attributes: ['job', 'slot'], fixed: { job: query.job } };
    } else {
      request = { indexName: BY_ID, partition: RUN_LIST_KEY, filter };
      shape = { attributes: ['job', 'slot', 'listKey', 'runId'], fixed: { listKey: RUN_LIST_KEY } };
    }
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
    const page = this.#table.page({ ...request, descending: true }, query.limit, start);
    return { ...page, items: page.items.map(toRun) };
  }

  async listChildren(query: ChildrenQuery): Promise<Page<Run>> {
    checkLimit(query.limit);
    const now = this.clock.now();
    const shape = childrenCursorShape(query);
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
    const page = this.#table.page(
      {
        partition: query.parent.job,
        sortKey: { beginsWith: childSlotPrefix(query.parent) },
        filter: (item) => !isExpired(item, now) && item.parentRunId === query.parent.runId,
      },
      query.limit,
      start,
    );
    return { ...page, items: page.items.map(toRun) };
  }

  async countChild(parent: RunKey, index: number, status: ChildStatus, now: Date): Promise<Run | undefined> {
    const current = this.#table.get({ job: parent.job, slot: parent.slot });
    if (current === undefined || (current.status !== 'running' && current.status !== 'waiting'))
      return undefined;
    const children = current.children as Record<string, number> | undefined;
    const counted = (current.countedChildren ?? {}) as Record<string, boolean>;
    if (children === undefined || Object.hasOwn(counted, String(index))) return undefined;
    const written = stored({
      ...current,
      children: { ...children, [status]: (children[status] ?? 0) + 1 },
      countedChildren: { ...counted, [String(index)]: true },
      lastChildAt: now.toISOString(),
    });
    this.#table.put(written);
    return toRun(written);
  }
}

function toRun(item: Item): Run {
  const { listKey: _listKey, ...run } = item;
  return run as unknown as Run;
}
