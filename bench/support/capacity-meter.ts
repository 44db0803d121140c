/**
 * Capacity units consumed by the requests of a DynamoDB client, as the engine reports them: an SDK
 * middleware asks every data request for `ReturnConsumedCapacity: INDEXES` and adds up what comes back,
 * per table and per index, read and write units apart. It sits on the client's own middleware stack
 * (the document client shares its stack with the low-level client it wraps), so whatever the adapters
 * send, and however they send it, is counted.
 *
 * DynamoDB reports nothing with a ConditionalCheckFailedException (DynamoDB Local neither), yet bills the
 * failed write: the size of the existing item, rounded up to 1 KB, at least 1 unit, on the table only
 * (nothing is written to an index). The meter reads that item through a separate client, which it does
 * not count, and records the estimate apart, so a report can say which figures are estimates.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemBytes } from './item-size.ts';

/** Commands that accept ReturnConsumedCapacity; the first set consumes read units, the second write units. */
const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Units consumed on one table or index, e.g. `jobs` or `jobs/jobs-by-name`. */
export interface TargetUnits {
  readonly read: number;
  readonly write: number;
  /** Of `write`: estimated for failed conditional writes, which the engine does not report. */
  readonly estimatedWrite: number;
}

export interface Consumption {
  readonly targets: ReadonlyMap<string, TargetUnits>;
  readonly read: number;
  readonly write: number;
  readonly estimatedWrite: number;
  /** Data requests sent, by command name (e.g. `GetItem`). */
  readonly requests: ReadonlyMap<string, number>;
}

export interface MeteredTable {
  /** Physical table name. */
  readonly tableName: string;
  /** How the report names it (the table id, e.g. `jobs`). */
  readonly label: string;
  /** Key attribute names: a failed PutItem's key is read from its item. */
  readonly keys: readonly string[];
}

interface ReportedCapacity {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly Table?: { readonly CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
  readonly LocalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
}

type Input = Record<string, unknown>;

export class CapacityMeter {
  readonly #tables: ReadonlyMap<string, MeteredTable>;
  readonly #probe: DynamoDBClient;
  #targets = new Map<string, { read: number; write: number; estimatedWrite: number }>();
  #requests = new Map<string, number>();

  /** @param probe reads the item a failed conditional write was refused by; its requests are not counted. */
  constructor(tables: readonly MeteredTable[], probe: DynamoDBClient) {
    this.#tables = new Map(tables.map((table) => [table.tableName, table]));
    this.#probe = probe;
  }

  install(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const kind = READS.has(command) ? 'read' : WRITES.has(command) ? 'write' : undefined;
        if (kind === undefined) return next(args);
        const input = args.input as Input;
        input.ReturnConsumedCapacity = 'INDEXES';
        const name = command.replace(/Command$/, '');
        this.#requests.set(name, (this.#requests.get(name) ?? 0) + 1);
        try {
          const result = await next(args);
          this.#record(kind, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (error) {
          if (
            kind === 'write' &&
            error instanceof Error &&
            error.name === 'ConditionalCheckFailedException'
          ) {
            await this.#estimateFailedWrite(command, input);
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
  }

  reset(): void {
    this.#targets = new Map();
    this.#requests = new Map();
  }

  take(): Consumption {
    let read = 0;
    let write = 0;
    let estimatedWrite = 0;
    for (const units of this.#targets.values()) {
      read += units.read;
      write += units.write;
      estimatedWrite += units.estimatedWrite;
    }
    return {
      // Copies: the meter goes on counting (setup requests) into its own objects until the next reset.
      targets: new Map([...this.#targets].map(([target, units]) => [target, { ...units }])),
      read,
      write,
      estimatedWrite,
      requests: new Map(this.#requests),
    };
  }

  #add(target: string, kind: 'read' | 'write', units: number, estimated = false): void {
    const current = this.#targets.get(target) ?? { read: 0, write: 0, estimatedWrite: 0 };
    current[kind] += units;
    if (estimated) current.estimatedWrite += units;
    this.#targets.set(target, current);
  }

  /** One ConsumedCapacity (single-item requests and Query) or a list of them (batches, transactions). */
  #record(kind: 'read' | 'write', reported: unknown): void {
    if (reported === undefined) {
      throw new Error(
        'the engine returned no ConsumedCapacity; this bench needs one that reports it (DynamoDB Local)',
      );
    }
    for (const capacity of (Array.isArray(reported) ? reported : [reported]) as ReportedCapacity[]) {
      const label = this.#label(capacity.TableName);
      const table = capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 0;
      this.#add(label, kind, table);
      for (const indexes of [capacity.GlobalSecondaryIndexes, capacity.LocalSecondaryIndexes]) {
        for (const [index, units] of Object.entries(indexes ?? {})) {
          this.#add(`${label}/${index}`, kind, units.CapacityUnits ?? 0);
        }
      }
    }
  }

  async #estimateFailedWrite(command: string, input: Input): Promise<void> {
    const tableName = String(input.TableName);
    const table = this.#tables.get(tableName);
    if (
      table === undefined ||
      command === 'BatchWriteItemCommand' ||
      command === 'TransactWriteItemsCommand'
    ) {
      throw new Error(`cannot estimate a failed ${command} on ${tableName}`);
    }
    const key =
      command === 'PutItemCommand'
        ? Object.fromEntries(table.keys.map((name) => [name, (input.Item as Input)[name]]))
        : input.Key;
    const existing = await this.#probe.send(
      new GetItemCommand({
        TableName: tableName,
        Key: key as Record<string, AttributeValue>,
        ConsistentRead: true,
      }),
    );
    const bytes = existing.Item === undefined ? 0 : itemBytes(existing.Item);
    this.#add(table.label, 'write', Math.max(1, Math.ceil(bytes / 1024)), true);
  }

  #label(tableName: string | undefined): string {
    return (tableName === undefined ? undefined : this.#tables.get(tableName)?.label) ?? String(tableName);
  }
}
