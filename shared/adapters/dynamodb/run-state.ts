/**
 * A job's run state: a small item of its own in the jobs table (key `<name>#run`; `#` is never in a job
 * name) holding the job's run lease, i.e. its latest run and until when that run may still be going.
 *
 * Why not on the job item: a run takes the lease on every start, and an UpdateItem is billed for the
 * whole item it rewrites, and again for every index projecting a changed attribute. On the job item the
 * lease cost as many write units as the job's config has kilobytes, plus one per index (both project
 * ALL): 3 for a small job, 22 for one with a 4 KB prompt. Here it costs 1: the item is a few hundred
 * bytes and carries neither `listKey` nor `kind`, so no index holds it.
 *
 * `jobCreatedAt` says which job the state belongs to (a job deleted and created again under the name is
 * another job). Creating a job writes a fresh state; deleting it deletes the state. Jobs stored before run
 * states existed have none: the first lease creates it from the job item, carrying over a lease found
 * there, so data written by earlier versions needs no migration.
 *
 * `jobVersion` confirms which version of the job is stored, so a scheduled run can work from the copy of
 * the job its schedule carries (JobEvent.definition) without reading the job item: its lease write is
 * conditional on that version. Every write of the job goes
 *
 *   invalidate (REMOVE jobVersion, SET writer = a token of this write) → write the job → confirm
 *   (SET jobVersion, REMOVE writer, only while `writer` is still this write's token)
 *
 * so while a write is under way, and after a writer stopped between its steps, no version is confirmed
 * and runs read the job item instead (correct, one read more). Only the last writer to invalidate can
 * confirm, and only the version it wrote; a writer whose job write was refused confirms nothing. A state
 * left unconfirmed is confirmed again by the job's next write.
 */

import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DueSlot } from '../../health/ports.ts';
import type { RunLease } from '../../jobs/model.ts';
import type { JobIdentity, JobRunState, LeaseOptions, LeaseOutcome, LeaseRefusal } from '../../jobs/ports.ts';
import { fromAttributeMap } from './attribute-values.ts';
import { batchGet } from './batch-get.ts';
import { isConditionFailed } from './client.ts';
import { DUE_ATTRIBUTE_NAMES, dueAttributes } from './due-attributes.ts';

const SUFFIX = '#run';

/** What the health tracker records on a run state (shared/adapters/dynamodb/health-store.ts). */
const RECORDED_HEALTH = [
  'health',
  'healthReason',
  'healthChangedAt',
  'failures',
  'successes',
  'lastCountedRunId',
] as const;

/** The key of job `name`'s run state in the jobs table. */
export function runStateKey(name: string): { name: string } {
  return { name: `${name}${SUFFIX}` };
}

/** A job as the run state knows it: which job, and (when known) its stored version. */
export type VersionedJob = JobIdentity & { readonly version?: number };

/**
 * What a write of the job says about its watch: its entry in the index of next expected slots (none
 * when paused or done), and whether it is paused. A paused job's health is `paused` (read from the job);
 * a pause clears what was recorded (health and counters), so a resumed job starts `ok` and counts anew.
 * (A resume is an operator's act, not a recovery: neither alerts.)
 */
export interface JobWatch {
  readonly due?: DueSlot;
  readonly paused: boolean;
}

/** The run-state item of a job just created (or repaired from its item): no lease yet, its version confirmed. */
export function newRunStateItem(
  job: VersionedJob,
  lease?: RunLease,
  watch?: JobWatch,
): Record<string, unknown> {
  return {
    ...runStateKey(job.name),
    jobCreatedAt: job.createdAt,
    ...(job.version === undefined ? {} : { jobVersion: job.version }),
    ...(lease === undefined ? {} : { lease }),
    ...(watch === undefined ? {} : dueAttributes(watch.due)),
  };
}

/** How the lease's conditional write reads, shared with the in-memory store (see leaseIsFree). */
export function leaseCondition(options: LeaseOptions): string {
  const owner =
    options.version === undefined
      ? '#jobCreatedAt = :createdAt'
      : '#jobCreatedAt = :createdAt AND #jobVersion = :version';
  // Shared: never over a later run's lease (run ids sort by start), so the lease names the latest run.
  if (options.shared === true)
    return `${owner} AND (attribute_not_exists(#lease) OR #lease.#runId <= :runId)`;
  const replace = options.replaceRunId === undefined ? '' : ' OR #lease.#runId = :replace';
  return `${owner} AND (attribute_not_exists(#lease) OR #lease.#expiresAt < :now${replace})`;
}

/** The in-memory reading of the owner part of leaseCondition: the caller's job, at the caller's version. */
export function stateOwnedBy(
  state: Record<string, unknown> | undefined,
  job: JobIdentity,
  options: LeaseOptions,
): boolean {
  return (
    state !== undefined &&
    state.jobCreatedAt === job.createdAt &&
    (options.version === undefined || state.jobVersion === options.version)
  );
}

/** The in-memory reading of leaseCondition, for MemoryJobStore. */
export function leaseIsFree(
  held: Partial<RunLease> | undefined,
  lease: RunLease,
  now: Date,
  options: LeaseOptions,
): boolean {
  if (options.shared === true) return held?.runId === undefined || held.runId <= lease.runId;
  return (
    held === undefined ||
    // ISO instants compared as strings, as DynamoDB compares them.
    (held.expiresAt !== undefined && held.expiresAt < now.toISOString()) ||
    (options.replaceRunId !== undefined && held.runId === options.replaceRunId)
  );
}

/**
 * What to do about a refused lease, from the run state and (when the state is missing or belongs to
 * another job) the job item: refuse with a reason, or write the state the job should have and try again.
 * Shared with the in-memory store.
 */
export type RefusalReading =
  | { readonly refuse: LeaseRefusal }
  /** Write this state (the job has none, or a stale one of a job deleted before it) and try once more. */
  | { readonly repair: Record<string, unknown>; readonly replacing?: string };

export async function readRefusal(
  job: JobIdentity,
  state: Record<string, unknown> | undefined,
  jobItem: () => Promise<Record<string, unknown> | undefined>,
  options: LeaseOptions = {},
): Promise<RefusalReading> {
  const stateOwner = state?.jobCreatedAt as string | undefined;
  if (state !== undefined && stateOwner === job.createdAt) {
    // Before `held`: a run holding another version of the job must first read the job as it is.
    if (options.version !== undefined && state.jobVersion !== options.version)
      return { refuse: { acquired: false, reason: 'stale' } };
    const holder = state.lease as RunLease | undefined;
    return { refuse: { acquired: false, reason: 'held', ...(holder === undefined ? {} : { holder }) } };
  }
  // ISO instants: a state of a job created after the caller's belongs to a job created again since.
  if (stateOwner !== undefined && stateOwner > job.createdAt)
    return { refuse: { acquired: false, reason: 'recreated' } };
  // Only a missing or stale state needs the job item (a read, on this refused path only).
  const stored = await jobItem();
  if (stored === undefined) return { refuse: { acquired: false, reason: 'deleted' } };
  if (stored.createdAt !== job.createdAt) return { refuse: { acquired: false, reason: 'recreated' } };
  // The job is the caller's and its state is missing (stored before run states) or left over from a job
  // deleted before it: write the state it should have. A lease on the job item is an earlier version's.
  const legacy = state === undefined ? (stored.lease as RunLease | undefined) : undefined;
  return {
    repair: newRunStateItem({ ...job, version: stored.version as number }, legacy),
    ...(stateOwner === undefined ? {} : { replacing: stateOwner }),
  };
}

/** A refusal that, for a shared lease, means a later run already recorded itself: not a refusal. */
export function sharedHeld(refusal: LeaseRefusal, options: LeaseOptions): boolean {
  return options.shared === true && refusal.reason === 'held';
}

export class DynamoRunStates {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Written when a job is created: a fresh state replaces whatever a job of the name left behind. */
  async create(job: VersionedJob, watch?: JobWatch): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: newRunStateItem(job, undefined, watch) }),
    );
  }

  /**
   * Before a write of the job: no version is confirmed until `confirm` with the token returned. A job
   * without a state (stored before run states) gets none here: its first run creates it from the job.
   */
  async invalidate(name: string): Promise<string> {
    const token = randomUUID();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(name),
          UpdateExpression: 'SET #writer = :token REMOVE #jobVersion',
          ConditionExpression: 'attribute_exists(#name)',
          ExpressionAttributeNames: { '#writer': 'writer', '#jobVersion': 'jobVersion', '#name': 'name' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    return token;
  }

  /** After a write of the job at `version`: confirms it, unless another write invalidated the state since. */
  async confirm(job: JobIdentity, version: number, token: string, watch?: JobWatch): Promise<void> {
    // The watch goes with the confirmation: only the last writer of the job places it in the index.
    const sets = ['#jobVersion = :version'];
    const removes = ['#writer'];
    const names: Record<string, string> = {
      '#writer': 'writer',
      '#jobVersion': 'jobVersion',
      '#jobCreatedAt': 'jobCreatedAt',
    };
    const values: Record<string, unknown> = {
      ':version': version,
      ':createdAt': job.createdAt,
      ':token': token,
    };
    if (watch !== undefined) {
      const due = dueAttributes(watch.due);
      for (const attribute of DUE_ATTRIBUTE_NAMES) {
        names[`#${attribute}`] = attribute;
        if (due[attribute] === undefined) removes.push(`#${attribute}`);
        else {
          sets.push(`#${attribute} = :${attribute}`);
          values[`:${attribute}`] = due[attribute];
        }
      }
      if (watch.paused) {
        for (const attribute of RECORDED_HEALTH) {
          names[`#${attribute}`] = attribute;
          removes.push(`#${attribute}`);
        }
      }
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(job.name),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: '#jobCreatedAt = :createdAt AND #writer = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // A later write's (it confirms its own version), or the job is gone: nothing to confirm.
      if (!isConditionFailed(error)) throw error;
      return;
    }
  }

  async delete(name: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: runStateKey(name) }));
  }

  async acquire(
    job: JobIdentity,
    lease: RunLease,
    now: Date,
    options: LeaseOptions = {},
  ): Promise<LeaseOutcome> {
    for (let round = 0; ; round++) {
      const written = await this.write(job, lease, now, options);
      if (written.acquired) return { acquired: true };
      // Refused: DynamoDB returns the state with the refusal; dynalite does not, so it is read then.
      const state = written.state ?? (await this.read(runStateKey(job.name)));
      const reading = await readRefusal(job, state, () => this.read({ name: job.name }), options);
      // A shared lease refused by a later run's: that run is the job's latest, as it should be.
      if ('refuse' in reading)
        return sharedHeld(reading.refuse, options) ? { acquired: true } : reading.refuse;
      if (round === 1) return { acquired: false, reason: 'held' };
      await this.repair(reading.repair, reading.replacing);
    }
  }

  async states(names: readonly string[]): Promise<ReadonlyMap<string, JobRunState>> {
    const states = new Map<string, JobRunState>();
    const items = await batchGet(this.doc, this.tableName, names.map(runStateKey), { consistentRead: true });
    for (const item of items) {
      const name = String(item.name).slice(0, -SUFFIX.length);
      const lease = item.lease as RunLease | undefined;
      const health = item.health as JobRunState['health'];
      states.set(name, {
        ...(lease === undefined ? {} : { lease }),
        ...(health === undefined ? {} : { health }),
        ...(typeof item.healthReason === 'string' ? { healthReason: item.healthReason } : {}),
      });
    }
    return states;
  }

  private async write(
    job: JobIdentity,
    lease: RunLease,
    now: Date,
    options: LeaseOptions,
  ): Promise<{ readonly acquired: boolean; readonly state?: Record<string, unknown> }> {
    const shared = options.shared === true;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(job.name),
          UpdateExpression: 'SET #lease = :lease',
          // #jobCreatedAt also keeps an UpdateItem from creating a state for a job that has none.
          ConditionExpression: leaseCondition(options),
          ExpressionAttributeNames: {
            '#jobCreatedAt': 'jobCreatedAt',
            '#lease': 'lease',
            ...(options.version === undefined ? {} : { '#jobVersion': 'jobVersion' }),
            ...(shared ? {} : { '#expiresAt': 'expiresAt' }),
            ...(shared || options.replaceRunId !== undefined ? { '#runId': 'runId' } : {}),
          },
          ExpressionAttributeValues: {
            ':createdAt': job.createdAt,
            ':lease': lease,
            ...(options.version === undefined ? {} : { ':version': options.version }),
            ...(shared ? { ':runId': lease.runId } : { ':now': now.toISOString() }),
            ...(shared || options.replaceRunId === undefined ? {} : { ':replace': options.replaceRunId }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // The error is not converted by the document client: its item is still in AttributeValues.
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { acquired: false, ...(item === undefined ? {} : { state: fromAttributeMap(item) }) };
    }
  }

  private async read(key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return output.Item;
  }

  /** Writes the state a job should have, unless another writer changed it since it was read. */
  private async repair(item: Record<string, unknown>, replacing: string | undefined): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression:
            replacing === undefined ? 'attribute_not_exists(#name)' : '#jobCreatedAt = :replacing',
          ExpressionAttributeNames:
            replacing === undefined ? { '#name': 'name' } : { '#jobCreatedAt': 'jobCreatedAt' },
          ...(replacing === undefined ? {} : { ExpressionAttributeValues: { ':replacing': replacing } }),
        }),
      );
    } catch (error) {
      // Someone else wrote it first: the next round reads what they wrote.
      if (!isConditionFailed(error)) throw error;
    }
  }
}
