/**
 * DynamoDB requests by what they touch, counted by an SDK middleware on the document client (as
 * bench/support/request-counter.ts counts them by command): the item a request names, with the job's
 * name written `<job>` (`<job>#run`: the run state and its lease; `<job>#checkpoint#crm`: a keyed
 * checkpoint), or the runs table's run record. Reads and writes are told apart by command.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const READS = new Set(['Get', 'Query', 'BatchGet', 'Scan', 'GetItem', 'BatchGetItem']);
const WRITES = new Set(['Put', 'Update', 'Delete', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWrite']);

export type Access = 'read' | 'write' | 'other';

export interface RequestRow {
  /** e.g. `Update <job>#checkpoint#crm` */
  readonly what: string;
  readonly access: Access;
  readonly count: number;
}

export class TargetCounter {
  #counts = new Map<string, { access: Access; count: number }>();

  constructor(private readonly tables: { readonly jobs: string; readonly runs: string }) {}

  install(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const what = `${command} ${this.#target(args.input as Record<string, unknown>)}`;
        const access: Access = READS.has(command) ? 'read' : WRITES.has(command) ? 'write' : 'other';
        const entry = this.#counts.get(what) ?? { access, count: 0 };
        entry.count++;
        this.#counts.set(what, entry);
        return next(args);
      },
      { step: 'initialize', name: 'syncBenchTargetCounter' },
    );
  }

  reset(): void {
    this.#counts = new Map();
  }

  rows(): RequestRow[] {
    return [...this.#counts]
      .map(([what, { access, count }]) => ({ what, access, count }))
      .sort((a, b) => a.what.localeCompare(b.what));
  }

  #target(input: Record<string, unknown>): string {
    const table = input.TableName;
    if (table === this.tables.runs) return 'run record (runs table)';
    const key = input.Key as { name?: unknown } | undefined;
    const item = input.Item as { name?: unknown } | undefined;
    // The document client converts before the SDK's own stack sees the input: `{S: "<name>"}`.
    const attribute = key?.name ?? item?.name;
    const name =
      typeof attribute === 'object' && attribute !== null ? (attribute as { S?: unknown }).S : attribute;
    if (table !== this.tables.jobs || typeof name !== 'string') return String(table);
    const hash = name.indexOf('#');
    return hash === -1 ? '<job> (job item)' : `<job>${name.slice(hash)}`;
  }
}
