/**
 * AlertStore on DynamoDB: each job's alert record is one item of the jobs table, key `<name>#alert` (`#`
 * is never in a job name), in no index of jobs (it carries neither `listKey` nor `kind`). While it owes
 * a send it carries `alertDue` (a constant) and `nextAlertAt`, which puts it in the sparse `alerts-due`
 * index the reminder pass queries; settling removes both once nothing is owed.
 *
 * Every write is a single-item conditional write. A change is recorded only over an older one
 * (`changeAt` compares as text: the tracker's instants are all `toISOString()`, so text order is time
 * order); a due record is claimed only as it was read (the same change, the same `nextAlertAt`); and only
 * the holder of the claim token may settle it.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AlertChannel,
  AlertClaim,
  AlertRecord,
  AlertSettlement,
  AlertStore,
} from '../../alerts/ports.ts';
import type { HealthChange } from '../../health/model.ts';
import type { IndexName } from '../../tables.ts';
import { isConditionFailed } from './client.ts';

const SUFFIX = '#alert';
/** The constant partition key of the `alerts-due` index. */
export const ALERT_DUE_KEY = 'due';
const DUE_INDEX: IndexName<'jobs'> = 'alerts-due';

/** The key of job `name`'s alert record in the jobs table. */
export function alertKey(name: string): { name: string } {
  return { name: `${name}${SUFFIX}` };
}

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimChange(
    change: HealthChange,
    channels: readonly AlertChannel[],
    until: Date,
  ): Promise<AlertClaim | undefined> {
    const token = randomUUID();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertKey(change.job),
          UpdateExpression:
            'SET #job = :job, #change = :change, #changeAt = :at, #reminder = :zero, #pending = :pending, ' +
            '#failures = :zero, #nextAlertAt = :until, #alertDue = :due, #claim = :token REMOVE #lastSentAt',
          ConditionExpression: 'attribute_not_exists(#changeAt) OR #changeAt < :at',
          ExpressionAttributeNames: {
            '#job': 'job',
            '#change': 'change',
            '#changeAt': 'changeAt',
            '#reminder': 'reminder',
            '#pending': 'pending',
            '#failures': 'failures',
            '#nextAlertAt': 'nextAlertAt',
            '#alertDue': 'alertDue',
            '#claim': 'claim',
            '#lastSentAt': 'lastSentAt',
          },
          ExpressionAttributeValues: {
            ':job': change.job,
            ':change': { ...change },
            ':at': change.at,
            ':zero': 0,
            ':pending': [...channels],
            ':until': until.toISOString(),
            ':due': ALERT_DUE_KEY,
            ':token': token,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
    return { job: change.job, changeAt: change.at, token };
  }

  async due(now: Date, limit: number): Promise<AlertRecord[]> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: '#alertDue = :due AND #nextAlertAt <= :now',
        ExpressionAttributeNames: { '#alertDue': 'alertDue', '#nextAlertAt': 'nextAlertAt' },
        ExpressionAttributeValues: { ':due': ALERT_DUE_KEY, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return (output.Items ?? []).map(toRecord);
  }

  async claimDue(record: AlertRecord, until: Date): Promise<AlertClaim | undefined> {
    if (record.nextAlertAt === undefined) return undefined;
    const token = randomUUID();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertKey(record.job),
          UpdateExpression: 'SET #nextAlertAt = :until, #claim = :token',
          ConditionExpression: '#changeAt = :at AND #nextAlertAt = :seen',
          ExpressionAttributeNames: {
            '#changeAt': 'changeAt',
            '#nextAlertAt': 'nextAlertAt',
            '#claim': 'claim',
          },
          ExpressionAttributeValues: {
            ':at': record.change.at,
            ':seen': record.nextAlertAt,
            ':until': until.toISOString(),
            ':token': token,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
    return { job: record.job, changeAt: record.change.at, token };
  }

  async settle(claim: AlertClaim, settlement: AlertSettlement): Promise<boolean> {
    const names: Record<string, string> = {
      '#changeAt': 'changeAt',
      '#claim': 'claim',
      '#reminder': 'reminder',
      '#pending': 'pending',
      '#failures': 'failures',
      '#lastSentAt': 'lastSentAt',
      '#nextAlertAt': 'nextAlertAt',
      '#alertDue': 'alertDue',
    };
    const values: Record<string, unknown> = {
      ':at': claim.changeAt,
      ':token': claim.token,
      ':reminder': settlement.reminder,
      ':pending': [...settlement.pending],
      ':failures': settlement.failures,
    };
    const sets = ['#reminder = :reminder', '#pending = :pending', '#failures = :failures'];
    const removes = ['#claim'];
    if (settlement.lastSentAt === undefined) removes.push('#lastSentAt');
    else {
      sets.push('#lastSentAt = :lastSentAt');
      values[':lastSentAt'] = settlement.lastSentAt;
    }
    if (settlement.nextAlertAt === undefined) removes.push('#nextAlertAt', '#alertDue');
    else {
      sets.push('#nextAlertAt = :next', '#alertDue = :due');
      values[':next'] = settlement.nextAlertAt;
      values[':due'] = ALERT_DUE_KEY;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertKey(claim.job),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: '#changeAt = :at AND #claim = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async forget(claim: AlertClaim): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: alertKey(claim.job),
          ConditionExpression: '#changeAt = :at AND #claim = :token',
          ExpressionAttributeNames: { '#changeAt': 'changeAt', '#claim': 'claim' },
          ExpressionAttributeValues: { ':at': claim.changeAt, ':token': claim.token },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async get(job: string): Promise<AlertRecord | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: alertKey(job), ConsistentRead: true }),
    );
    return output.Item === undefined ? undefined : toRecord(output.Item);
  }
}

function toRecord(item: Record<string, unknown>): AlertRecord {
  return {
    job: item.job as string,
    change: item.change as HealthChange,
    reminder: item.reminder as number,
    pending: (item.pending as AlertChannel[] | undefined) ?? [],
    failures: item.failures as number,
    ...(item.lastSentAt === undefined ? {} : { lastSentAt: item.lastSentAt as string }),
    ...(item.nextAlertAt === undefined ? {} : { nextAlertAt: item.nextAlertAt as string }),
  };
}
