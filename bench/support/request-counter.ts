import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * DynamoDB requests sent by a client, by command name, counted by an SDK middleware on the client's own
 * stack (shared by a document client and the low-level client it wraps, so every request is seen once).
 */
export class RequestCounter {
  #counts = new Map<string, number>();

  install(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
        this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  reset(): void {
    this.#counts = new Map();
  }

  /** e.g. `Query×101`: per command, divided by `per` (requests per page, per run). */
  describe(per = 1): string {
    return [...this.#counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => `${name}×${Number.isInteger(n / per) ? n / per : (n / per).toFixed(1)}`)
      .join(', ');
  }

  total(): number {
    return [...this.#counts.values()].reduce((sum, n) => sum + n, 0);
  }
}
