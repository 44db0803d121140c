import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { LocalCredentials } from '../credentials.ts';

/** The engine did not start, or did not answer in time. The message says which engine and why. */
export class EngineStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EngineStartError';
  }
}

export interface WaitReadyOptions {
  /** What the check signs with: the stack's credentials, which its functions sign with too. */
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Pause between attempts. @default 100 */
  readonly intervalMs?: number;
  /** Why waiting is pointless (e.g. the engine process exited), or undefined while it may still come up. */
  readonly failure?: () => string | undefined;
}

/**
 * Waits until a DynamoDB engine answers ListTables, signed with the stack's credentials and Region:
 * a guarded engine accepts nothing else, and an engine that keeps data per access key and Region sees
 * the same identity as the functions.
 */
export async function waitForEngine(endpoint: string, options: WaitReadyOptions): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    // A copy: the SDK writes its bookkeeping ($source) into the credentials object it gets.
    credentials: { ...options.credentials },
    maxAttempts: 1,
  });
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no answer';
  try {
    for (;;) {
      const failure = options.failure?.();
      if (failure !== undefined) throw new EngineStartError(failure);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(Math.max(1_000, Math.min(5_000, deadline - Date.now()))),
        });
        return;
      } catch (error) {
        lastError = describe(error);
      }
      if (Date.now() >= deadline) {
        const failed = options.failure?.();
        throw new EngineStartError(
          failed ??
            `the DynamoDB engine at ${endpoint} did not answer ListTables within ${options.timeoutMs / 1000} s (last error: ${lastError})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  } finally {
    client.destroy();
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : `${error.name}: ${error.message}`;
}
