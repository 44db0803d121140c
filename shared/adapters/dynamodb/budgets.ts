/**
 * Budget counters as small items in the jobs table: `<job>#budget#<YYYY-MM-DD>` for a day and
 * `<job>#budget#run#<slot>` for one run (`#` is never in a job name, so no job can own these keys).
 * Like the run state (`<job>#run`), they carry neither `listKey` nor `kind`, so no index holds them and
 * no listing, status page or reconcile (all Queries of those indexes) ever sees one. `expiresAt` lets
 * DynamoDB's TTL remove them a few days after their period.
 *
 * A reservation is one UpdateItem `ADD`, conditional on the counter staying within its limits. A
 * condition expression cannot add (`used + :cost <= :limit` is not DynamoDB syntax), so the caller's
 * limit minus the amount is what the stored value is compared with.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../clock.ts';
import type {
  BudgetAmount,
  BudgetCounter,
  BudgetLimits,
  BudgetReservation,
  Budgets,
} from '../../kinds/capabilities.ts';
import { isConditionFailed } from './client.ts';

/** Days a counter is kept after it was last written: longer than any retry of a run (hours). */
export const BUDGET_RETENTION_DAYS = 3;
const ZERO: BudgetAmount = { microUsd: 0, tokens: 0 };

/** The key of a budget counter in the jobs table. */
export function budgetKey(counter: BudgetCounter): { name: string } {
  const period = 'day' in counter.period ? counter.period.day : `run#${counter.period.slot}`;
  return { name: `${counter.job}#budget#${period}` };
}

/**
 * Whether adding `amount` to `used` stays within `limits`, and if not, which limit it crosses. Shared
 * with the in-memory counters, so both read a limit the same way.
 */
export function crossedLimit(
  used: BudgetAmount,
  amount: BudgetAmount,
  limits: BudgetLimits,
): keyof BudgetAmount | undefined {
  if (limits.microUsd !== undefined && used.microUsd + amount.microUsd > limits.microUsd) return 'microUsd';
  if (limits.tokens !== undefined && used.tokens + amount.tokens > limits.tokens) return 'tokens';
  return undefined;
}

/** A few tries when a refusal turns out stale (a settle gave back between the write and the read). */
const MAX_RESERVE_TRIES = 3;

export class DynamoBudgets implements Budgets {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async reserve(
    counter: BudgetCounter,
    amount: BudgetAmount,
    limits: BudgetLimits,
  ): Promise<BudgetReservation> {
    // An amount larger than a limit on its own would pass the "never written" branch of the condition.
    const alone = crossedLimit(ZERO, amount, limits);
    if (alone !== undefined) return { reserved: false, exceeded: alone, used: await this.read(counter) };
    const conditions: string[] = [];
    const values: Record<string, unknown> = {};
    if (limits.microUsd !== undefined) {
      conditions.push('(attribute_not_exists(#microUsd) OR #microUsd <= :maxMicroUsd)');
      values[':maxMicroUsd'] = limits.microUsd - amount.microUsd;
    }
    if (limits.tokens !== undefined) {
      conditions.push('(attribute_not_exists(#tokens) OR #tokens <= :maxTokens)');
      values[':maxTokens'] = limits.tokens - amount.tokens;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.update(
          counter,
          amount,
          conditions.length === 0 ? undefined : conditions.join(' AND '),
          values,
        );
        return { reserved: true };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      // Refused: read which limit (one read, on this path only).
      const used = await this.read(counter);
      const exceeded = crossedLimit(used, amount, limits);
      if (exceeded !== undefined || attempt >= MAX_RESERVE_TRIES) {
        return { reserved: false, exceeded: exceeded ?? 'microUsd', used };
      }
    }
  }

  async add(counter: BudgetCounter, delta: BudgetAmount): Promise<void> {
    await this.update(counter, delta, undefined, {});
  }

  async read(counter: BudgetCounter): Promise<BudgetAmount> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: budgetKey(counter), ConsistentRead: true }),
    );
    return {
      microUsd: typeof Item?.microUsd === 'number' ? Item.microUsd : 0,
      tokens: typeof Item?.tokens === 'number' ? Item.tokens : 0,
    };
  }

  private async update(
    counter: BudgetCounter,
    amount: BudgetAmount,
    condition: string | undefined,
    values: Record<string, unknown>,
  ): Promise<void> {
    const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + BUDGET_RETENTION_DAYS * 86_400;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: budgetKey(counter),
        UpdateExpression: 'ADD #microUsd :microUsd, #tokens :tokens SET #expiresAt = :expiresAt',
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ExpressionAttributeNames: { '#microUsd': 'microUsd', '#tokens': 'tokens', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':microUsd': amount.microUsd,
          ':tokens': amount.tokens,
          ':expiresAt': expiresAt,
          ...values,
        },
      }),
    );
  }
}
