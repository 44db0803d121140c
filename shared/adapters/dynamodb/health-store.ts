/**
 * HealthStore on the jobs table: a job's recorded health, its run counters and its entry in the index
 * of next expected slots all live on the job's run state item (`<name>#run`, ./run-state.ts). Every
 * write is conditional on the state belonging to the job (`jobCreatedAt`), so nothing here writes to a
 * job created again since, and only the due index fill creates a state, for a job an earlier version
 * stored without one (watchIfUnwatched; one made for a job deleted meanwhile is an orphan no index lists
 * once the sweep has moved its entry out, and a job created again under the name replaces it).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { JobHealth } from '../../health/model.ts';
import type { DueEntry, DueIndexFillState, DueSlot, DueStage, HealthStore } from '../../health/ports.ts';
import type { HealthCounters, RunVerdict } from '../../health/transitions.ts';
import { isTrouble } from '../../health/transitions.ts';
import type { JobIdentity } from '../../jobs/ports.ts';
import type { IndexName } from '../../tables.ts';
import { isConditionFailed } from './client.ts';
import { DUE_SHARD, dueAttributes } from './due-attributes.ts';
import { newRunStateItem, runStateKey } from './run-state.ts';

const BY_DUE: IndexName<'jobs'> = 'jobs-by-due';
/**
 * The item recording how far the fill of the due index for jobs stored before it got (shared/health/fill.ts).
 * It starts with `#`, which no job name holds, and carries no `listKey` nor `kind`: no index lists it.
 */
const DUE_FILL_RECORD = { name: '#fill#jobs-by-due' };
export class DynamoHealthStore implements HealthStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countRun(job: JobIdentity, end: string, verdict: RunVerdict): Promise<HealthCounters | undefined> {
    const [counted, reset] = verdict === 'success' ? ['successes', 'failures'] : ['failures', 'successes'];
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(job.name),
          UpdateExpression:
            'SET #counted = if_not_exists(#counted, :zero) + :one, #reset = :zero, #last = :end',
          // The last end counted is not counted again (a repeated delivery of it). The attribute keeps the
          // name it had when it held a run id alone (an earlier version's value never equals an end).
          ConditionExpression:
            '#jobCreatedAt = :createdAt AND (attribute_not_exists(#last) OR #last <> :end)',
          ExpressionAttributeNames: {
            '#counted': counted,
            '#reset': reset,
            '#last': 'lastCountedRunId',
            '#jobCreatedAt': 'jobCreatedAt',
          },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':end': end, ':createdAt': job.createdAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return countersOf(output.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  async changeHealth(
    job: JobIdentity,
    from: JobHealth,
    to: JobHealth,
    reason: string,
    at: Date,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(job.name),
          UpdateExpression: `SET #health = :to, #reason = :reason, #at = :at${isTrouble(to) ? ', #successes = :zero' : ''}`,
          ConditionExpression: `#jobCreatedAt = :createdAt AND ${from === 'ok' ? '(#health = :from OR attribute_not_exists(#health))' : '#health = :from'}`,
          ExpressionAttributeNames: {
            '#health': 'health',
            '#reason': 'healthReason',
            '#at': 'healthChangedAt',
            '#jobCreatedAt': 'jobCreatedAt',
            ...(isTrouble(to) ? { '#successes': 'successes' } : {}),
          },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': from,
            ':reason': reason,
            ':at': at.toISOString(),
            ':createdAt': job.createdAt,
            ...(isTrouble(to) ? { ':zero': 0 } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async health(job: JobIdentity): Promise<HealthCounters | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: runStateKey(job.name), ConsistentRead: true }),
    );
    const item = output.Item;
    if (item === undefined || item.jobCreatedAt !== job.createdAt) return undefined;
    return countersOf(item);
  }

  async due(now: Date, limit: number): Promise<DueEntry[]> {
    const entries: DueEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_DUE,
          KeyConditionExpression: '#shard = :shard AND #dueAt <= :now',
          ExpressionAttributeNames: { '#shard': 'dueShard', '#dueAt': 'dueAt' },
          ExpressionAttributeValues: { ':shard': DUE_SHARD, ':now': now.toISOString() },
          Limit: limit - entries.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of output.Items ?? []) {
        entries.push({
          job: String(item.name).slice(0, -'#run'.length),
          jobCreatedAt: String(item.jobCreatedAt),
          slot: String(item.dueSlot),
          stage: dueStageOf(item.dueStage),
          dueAt: String(item.dueAt),
        });
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined && entries.length < limit);
    return entries;
  }

  async moveDue(entry: DueEntry, next: DueSlot | undefined): Promise<boolean> {
    const names = { '#slot': 'dueSlot', '#stage': 'dueStage', '#jobCreatedAt': 'jobCreatedAt' };
    const condition = '#jobCreatedAt = :createdAt AND #slot = :slot AND #stage = :stage';
    const current = { ':createdAt': entry.jobCreatedAt, ':slot': entry.slot, ':stage': entry.stage };
    try {
      await this.doc.send(
        next === undefined
          ? new UpdateCommand({
              TableName: this.tableName,
              Key: runStateKey(entry.job),
              UpdateExpression: 'REMOVE #shard, #dueAt, #slot, #stage',
              ConditionExpression: condition,
              ExpressionAttributeNames: { ...names, '#shard': 'dueShard', '#dueAt': 'dueAt' },
              ExpressionAttributeValues: current,
            })
          : new UpdateCommand({
              TableName: this.tableName,
              Key: runStateKey(entry.job),
              UpdateExpression: 'SET #dueAt = :dueAt, #slot = :nextSlot, #stage = :nextStage',
              ConditionExpression: condition,
              ExpressionAttributeNames: { ...names, '#dueAt': 'dueAt' },
              ExpressionAttributeValues: {
                ...current,
                ':dueAt': next.dueAt,
                ':nextSlot': next.slot,
                ':nextStage': next.stage,
              },
            }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async watchIfUnwatched(job: JobIdentity, due: DueSlot): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKey(job.name),
          UpdateExpression: 'SET #shard = :shard, #dueAt = :dueAt, #slot = :slot, #stage = :stage',
          ConditionExpression: '#jobCreatedAt = :createdAt AND attribute_not_exists(#shard)',
          ExpressionAttributeNames: {
            '#jobCreatedAt': 'jobCreatedAt',
            '#shard': 'dueShard',
            '#dueAt': 'dueAt',
            '#slot': 'dueSlot',
            '#stage': 'dueStage',
          },
          ExpressionAttributeValues: {
            ':createdAt': job.createdAt,
            ':shard': DUE_SHARD,
            ':dueAt': due.dueAt,
            ':slot': due.slot,
            ':stage': due.stage,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // Refused: the state has an entry, belongs to another job, or does not exist. Only the last is ours
    // to write: a state with no version confirmed (runs read the job, as while a write is under way; the
    // job's next write confirms one), which its first lease finds as the job's own.
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...newRunStateItem({ name: job.name, createdAt: job.createdAt }), ...dueAttributes(due) },
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async dueIndexFill(): Promise<DueIndexFillState | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: DUE_FILL_RECORD, ConsistentRead: true }),
    );
    const item = output.Item;
    if (item === undefined) return undefined;
    if (typeof item.filledAt === 'string') return { filledAt: item.filledAt };
    return typeof item.cursor === 'string' ? { cursor: item.cursor } : undefined;
  }

  async recordDueIndexFill(state: DueIndexFillState): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...DUE_FILL_RECORD, ...state } }),
    );
  }
}

function countersOf(item: Record<string, unknown>): HealthCounters {
  return {
    health: (item.health as JobHealth | undefined) ?? 'ok',
    failures: typeof item.failures === 'number' ? item.failures : 0,
    successes: typeof item.successes === 'number' ? item.successes : 0,
  };
}

/** The stage an index entry was written with (every version wrote `late` or `missed`; later ones `open`). */
function dueStageOf(stored: unknown): DueStage {
  return stored === 'missed' || stored === 'open' ? stored : 'late';
}
