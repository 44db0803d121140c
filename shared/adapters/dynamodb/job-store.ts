/**
 * JobStore on DynamoDB (table `jobs`, pk `name`). Every access is a GetItem or a Query on an index;
 * every write is a single-item conditional write (the local engines have no transactions).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../clock.ts';
import { ConcurrentModificationError, JobAlreadyExistsError, ValidationError } from '../../errors.ts';
import { firstDue } from '../../health/due.ts';
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
import { checkpointKey } from './checkpoints.ts';
import { isConditionFailed } from './client.ts';
import { type CursorShape, decodeCursor } from './cursor.ts';
import { keyedCheckpointKey } from './keyed-checkpoints.ts';
import { queryPage } from './query.ts';
import { DynamoRunStates, type JobWatch } from './run-state.ts';

/** The constant partition key of the `jobs-by-name` index: every job is in one list, read by Query. */
export const JOB_LIST_KEY = 'job';

const BY_NAME = tableDefinitions.jobs.globalSecondaryIndexes[0].indexName;
const BY_KIND = tableDefinitions.jobs.globalSecondaryIndexes[1].indexName;

/**
 * Optional job attributes: a full write removes the ones the new job leaves out. Every optional field
 * of Job must be here (checked below by the compiler): one left out stays stored after a replace that
 * dropped it (as `expand` once did).
 */
const OPTIONAL_JOB_FIELDS = [
  'description',
  'flexibleWindowMinutes',
  'startDate',
  'endDate',
  'scheduleStartDate',
  'oneTimeState',
  'expiresAt',
  'then',
  'pauseNote',
  'managedBy',
  'expand',
  'alerts',
  'startingDeadlineSeconds',
  'graceSeconds',
  'catchup',
  'failureThreshold',
  'recoveryThreshold',
] as const satisfies readonly (keyof Job)[];

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type UnlistedOptionalField = Exclude<OptionalKeys<Job>, (typeof OPTIONAL_JOB_FIELDS)[number]>;
/** Fails to compile, naming the field, when an optional field of Job is missing from OPTIONAL_JOB_FIELDS. */
const everyOptionalFieldListed: [UnlistedOptionalField] extends [never] ? true : UnlistedOptionalField = true;
void everyOptionalFieldListed;

/**
 * Not rewritten by a replace: the key, and the lease that job items of earlier versions carry (a run
 * state created from the job item takes it over; see ./run-state.ts).
 */
const RUN_OWNED_FIELDS: ReadonlySet<string> = new Set(['name', 'lease']);

/** An item is live until its `expiresAt` (epoch seconds) passes; DynamoDB's TTL deletion lags. */
const LIVE = '(attribute_not_exists(#expiresAt) OR #expiresAt > :nowSec)';

export class DynamoJobStore implements JobStore {
  readonly #states: DynamoRunStates;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {
    this.#states = new DynamoRunStates(doc, tableName);
  }

  async get(name: string): Promise<Job | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { name }, ConsistentRead: true }),
    );
    const item = output.Item;
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toJob(item);
  }

  async create(job: Job): Promise<void> {
    try {
      await this.putIfAbsent(job);
    } catch (error) {
      if (isConditionFailed(error)) throw new JobAlreadyExistsError(job.name);
      throw error;
    }
    await this.#states.create(job, this.watchOf(job));
  }

  async put(job: Job, expectedVersion: number | undefined): Promise<void> {
    try {
      if (expectedVersion === undefined) {
        await this.putIfAbsent(job);
        await this.#states.create(job, this.watchOf(job));
        return;
      }
    } catch (error) {
      if (isConditionFailed(error)) throw new ConcurrentModificationError(`job "${job.name}"`);
      throw error;
    }
    // Runs that carry a copy of the job check its version on the run state (see ./run-state.ts).
    const token = await this.#states.invalidate(job.name);
    try {
      await this.replace(job, expectedVersion);
    } catch (error) {
      if (isConditionFailed(error)) throw new ConcurrentModificationError(`job "${job.name}"`);
      throw error;
    }
    await this.#states.confirm(job, job.version, token, this.watchOf(job));
  }

  /**
   * The job's watch as of this write: its next slot after now in the due index (a write restarts the
   * watch: slots before it are not looked at again), its health `paused` while it is disabled.
   */
  private watchOf(job: Job): JobWatch {
    return job.enabled ? { due: firstDue(job, this.clock.now()), paused: false } : { paused: true };
  }

  async delete(
    name: string,
    expectedVersion: number | undefined,
    checkpointKeys: readonly string[] = [],
  ): Promise<void> {
    // A run carrying a copy of the job, between here and the state's deletion, reads the job and finds it gone.
    await this.#states.invalidate(name);
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { name },
          ...(expectedVersion === undefined
            ? {}
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new ConcurrentModificationError(`job "${name}"`);
      throw error;
    }
    // After the job: a run that read the job before it went finds no state and learns it was deleted.
    await this.#states.delete(name);
    // A job's checkpoint goes with it (one more delete, for every kind: a checkpoint of the name left by
    // a failed delete would be ignored anyway, since it names the old job's createdAt).
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: checkpointKey(name) }));
    // And its keyed checkpoints (a sync job's connectors), each one item; one left by a failed delete is
    // ignored the same way.
    await Promise.all(
      checkpointKeys.map((key) =>
        this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keyedCheckpointKey(name, key) })),
      ),
    );
  }

  async list(query: JobQuery): Promise<Page<Job>> {
    checkLimit(query.limit);
    const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':nowSec': epochSeconds(this.clock.now()) };
    let keyCondition: string;
    let indexName: string;
    let shape: CursorShape;
    if (query.kind !== undefined) {
      indexName = BY_KIND;
      keyCondition = '#kind = :kind';
      names['#kind'] = 'kind';
      values[':kind'] = query.kind;
      shape = { attributes: ['name', 'kind'], fixed: { kind: query.kind } };
    } else {
      indexName = BY_NAME;
      keyCondition = '#listKey = :listKey';
      names['#listKey'] = 'listKey';
      values[':listKey'] = JOB_LIST_KEY;
      shape = { attributes: ['name', 'listKey'], fixed: { listKey: JOB_LIST_KEY } };
    }
    if (query.name !== undefined && query.name !== '') {
      keyCondition += ' AND begins_with(#name, :prefix)';
      // DynamoDB rejects attribute names an expression does not use, so #name is declared only here.
      names['#name'] = 'name';
      values[':prefix'] = query.name;
      shape = { ...shape, prefixes: { name: query.name } };
    }
    let filter = LIVE;
    if (query.enabled !== undefined) {
      filter += ' AND #enabled = :enabled';
      names['#enabled'] = 'enabled';
      values[':enabled'] = query.enabled;
    }
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
    const page = await queryPage(
      this.doc,
      {
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      query.limit,
      start,
      shape.attributes,
    );
    return { ...page, items: page.items.map(toJob) };
  }

  acquireLease(job: JobIdentity, lease: RunLease, now: Date, options?: LeaseOptions): Promise<LeaseOutcome> {
    return this.#states.acquire(job, lease, now, options);
  }

  runStates(names: readonly string[]): Promise<ReadonlyMap<string, JobRunState>> {
    return this.#states.states(names);
  }

  async markOneTime(
    job: OneTimeDefinition,
    state: 'executed' | 'cancelled',
    expiresAt: number,
    now: Date,
  ): Promise<boolean> {
    // A cancelled one-time job must not run from a copy carried by a fire already in flight: its run
    // state stops confirming the old version. An executed one needs no such care: its only slot has run,
    // and a copy can name no other slot (a repeat of it is refused by the slot's claim), which saves the
    // run that marks it two writes.
    const token = state === 'cancelled' ? await this.#states.invalidate(job.name) : undefined;
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { name: job.name },
          // A visible state change: bump the version so a concurrent edit based on the old state fails.
          UpdateExpression:
            'SET #state = :state, #expiresAt = :expiresAt, #updatedAt = :now ADD #version :one',
          // Still the definition the caller read, still waiting for its slot (see JobStore.markOneTime);
          // a record without a state predates one-time states and counts as scheduled.
          ConditionExpression: [
            '#createdAt = :createdAt',
            '#schedule.#expression = :expression',
            '#schedule.#timezone = :timezone',
            '(attribute_not_exists(#state) OR #state = :scheduled)',
          ].join(' AND '),
          ExpressionAttributeNames: {
            '#createdAt': 'createdAt',
            '#schedule': 'schedule',
            '#expression': 'expression',
            '#timezone': 'timezone',
            '#state': 'oneTimeState',
            '#expiresAt': 'expiresAt',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':createdAt': job.createdAt,
            ':expression': job.schedule.expression,
            ':timezone': job.schedule.timezone,
            ':scheduled': 'scheduled',
            ':state': state,
            ':expiresAt': expiresAt,
            ':now': now.toISOString(),
            ':one': 1,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      if (token !== undefined) await this.#states.confirm(job, Number(output.Attributes?.version), token);
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** PutItem when no live job has the name (an expired one may be replaced). */
  private async putIfAbsent(job: Job): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toItem(job),
        ConditionExpression: 'attribute_not_exists(#name) OR #expiresAt <= :nowSec',
        ExpressionAttributeNames: { '#name': 'name', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':nowSec': epochSeconds(this.clock.now()) },
      }),
    );
  }

  /** Rewrites every job attribute except the run-owned lease, conditional on the version read. */
  private async replace(job: Job, expectedVersion: number): Promise<void> {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expectedVersion': expectedVersion };
    const sets: string[] = [];
    let i = 0;
    for (const [attribute, value] of Object.entries(toItem(job))) {
      if (RUN_OWNED_FIELDS.has(attribute) || value === undefined) continue;
      i++;
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    }
    const removes: string[] = [];
    for (const attribute of OPTIONAL_JOB_FIELDS) {
      if (job[attribute] !== undefined) continue;
      i++;
      names[`#a${i}`] = attribute;
      removes.push(`#a${i}`);
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { name: job.name },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#version = :expectedVersion',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

function toItem(job: Job): Record<string, unknown> {
  return { ...job, listKey: JOB_LIST_KEY };
}

function toJob(item: Record<string, unknown>): Job {
  // `lease`: on job items of earlier versions; the lease lives in the job's run state now.
  const { listKey: _listKey, lease: _lease, ...job } = item;
  return job as unknown as Job;
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function isExpired(item: Record<string, unknown>, now: Date): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt <= epochSeconds(now);
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ValidationError('limit', `limit must be a whole number from 1 to 100; got ${String(limit)}`);
  }
}
