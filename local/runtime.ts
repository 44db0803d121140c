/**
 * The local stack: one composition root that starts, in order, the DynamoDB engine (and its tables),
 * the Scheduler emulator with the in-process Lambda runtime as its invoker, the Lambda Invoke
 * endpoint the functions call, and the API front. `tickwork local` runs it; integration tests start it
 * in-process on port 0 with a temporary data directory.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { functionName } from '../shared/functions.ts';
import { type ApiFront, startApiFront } from './api-front/server.ts';
import { loadOrCreateToken } from './api-front/token.ts';
import { type DynamoDbEngine, startDynamoDbEngine } from './dynamodb/engine.ts';
import type { EngineKind, EngineSpec } from './dynamodb/engine-spec.ts';
import { ensureTables } from './dynamodb/tables.ts';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  LOCAL_SCHEDULE_GROUP,
  LOCAL_STAGE,
  localFunctionEnvironment,
  localProcessEnvironment,
} from './lambda/environment.ts';
import { type FunctionEntry, LambdaRuntime } from './lambda/runtime.ts';
import { type LambdaApi, startLambdaApi } from './lambda-api/server.ts';
import {
  type SchedulerEmulator,
  type SchedulerLogEntry,
  startSchedulerEmulator,
  type TargetInvoker,
  type TimerClock,
} from './scheduler/index.ts';

/** What a client of the local stack needs; written to `<dataDir>/endpoints.json` once it is ready. */
export interface LocalEndpoints {
  readonly apiUrl: string;
  readonly schedulerEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local Lambda Invoke endpoint (AWS_ENDPOINT_URL_LAMBDA of the functions). */
  readonly lambdaEndpoint: string;
  /** Bearer token of the API. */
  readonly token: string;
  readonly scheduleGroup: string;
}

export type LocalPart = 'api' | 'scheduler' | 'dynamodb' | 'lambda';

export interface LocalStackOptions {
  /** Where everything is kept: tables, schedules, dead letters, the token. Created if missing. */
  readonly dataDir: string;
  /** Ports of each part; 0 (the default) picks a free one and `endpoints` says which. */
  readonly apiPort?: number;
  readonly schedulerPort?: number;
  readonly dynamodbPort?: number;
  readonly lambdaPort?: number;
  /** @default dynalite */
  readonly dynamodb?: EngineSpec;
  /** One line per event (fires, invocations, requests). @default silent */
  readonly log?: (line: string) => void;
  /** Clock of the Scheduler emulator. @default the system clock */
  readonly clock?: TimerClock;
  /** Extra or replacing functions for the Lambda runtime, by function name (tests). */
  readonly functions?: Readonly<Record<string, FunctionEntry>>;
  /** Waits before Lambda's retries of a failed asynchronous invocation. @default one and two minutes */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** How long `close()` lets in-flight requests and invocations finish. @default 10 s */
  readonly shutdownGraceMs?: number;
}

export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly dynamodbEngine: EngineKind;
  readonly runtime: LambdaRuntime;
  readonly scheduler: SchedulerEmulator;
  /**
   * Stops accepting requests, lets in-flight requests and invocations finish (bounded by
   * `shutdownGraceMs`), flushes the engines, removes endpoints.json and releases the data directory.
   */
  close(): Promise<void>;
}

/** A port another process (or part) already listens on. */
export class PortInUseError extends Error {
  constructor(
    readonly part: LocalPart,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`port ${port} (${part}) is already in use`, options);
    this.name = 'PortInUseError';
  }
}

/** The data directory cannot be used: it is a file, cannot be created, or is not writable. */
export class DataDirError extends Error {
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`data directory ${path} ${reason}`, options);
    this.name = 'DataDirError';
  }
}

/** Another local stack runs on the same data directory (its engines would corrupt each other's files). */
export class DataDirInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${path} is in use by another tickwork local (pid ${pid}); stop it or pass another data directory`,
    );
    this.name = 'DataDirInUseError';
  }
}

export const ENDPOINTS_FILE = 'endpoints.json';
const LOCK_FILE = 'lock';

/** Data directories with a running stack in this process. */
const activeDataDirs = new Set<string>();
/**
 * Ports a stack last used per data directory in this process. Handler modules read their endpoints
 * once at load and cannot be reloaded, so a stack restarted in the same process on "any port" gets
 * the same ports again when they are free.
 */
const lastPorts = new Map<string, Record<LocalPart, number>>();

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const dataDir = await prepareDataDir(options.dataDir);
  const previous = lastPorts.get(dataDir);
  const portFor = (part: LocalPart, requested: number | undefined) =>
    requested === undefined || requested === 0 ? (previous?.[part] ?? 0) : requested;
  const releaseLock = await lockDataDir(dataDir);

  // Undo, newest first, whatever started before a failure.
  const started: Array<() => Promise<unknown>> = [releaseLock];
  const undo = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
  };
  try {
    Object.assign(process.env, localProcessEnvironment(process.env));
    const { token, path: tokenFile } = await loadOrCreateToken(dataDir);

    const spec = options.dynamodb ?? { kind: 'dynalite' };
    const engine: DynamoDbEngine = await listenOrExplain(
      'dynamodb',
      portFor('dynamodb', options.dynamodbPort),
      (port) => startDynamoDbEngine({ spec, dataDir, port }),
      options.dynamodbPort,
    );
    started.push(() => engine.close());
    const dynamodb = new DynamoDBClient({ endpoint: engine.endpoint, region: LOCAL_REGION });
    try {
      await ensureTables(dynamodb, { stage: LOCAL_STAGE });
    } finally {
      dynamodb.destroy();
    }

    // The emulator may fire overdue schedules as soon as it starts, before the runtime exists
    // (its environment needs the emulator's endpoint): those invocations wait for it.
    let provideRuntime: (runtime: LambdaRuntime) => void = () => {};
    const runtimeReady = new Promise<LambdaRuntime>((resolve) => {
      provideRuntime = resolve;
    });
    const invoker: TargetInvoker = {
      invoke: async (target, meta) => (await runtimeReady).asTargetInvoker().invoke(target, meta),
    };
    const scheduler = await listenOrExplain(
      'scheduler',
      portFor('scheduler', options.schedulerPort),
      (port) =>
        startSchedulerEmulator({
          dataDir,
          port,
          invoker,
          log: (entry) => log(formatSchedulerEntry(entry)),
          region: LOCAL_REGION,
          accountId: LOCAL_ACCOUNT_ID,
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        }),
      options.schedulerPort,
    );
    started.push(() => scheduler.close());

    // The Invoke endpoint needs the runtime and the runtime's environment needs the endpoint's URL.
    let runtime: LambdaRuntime | undefined;
    const lambdaApi: LambdaApi = await listenOrExplain(
      'lambda',
      portFor('lambda', options.lambdaPort),
      (port) =>
        startLambdaApi({
          port,
          hasFunction: (reference) => {
            try {
              runtime?.resolve(reference);
              return runtime !== undefined;
            } catch {
              return false;
            }
          },
          invoke: async (reference, payload, type) => {
            if (runtime === undefined) throw new Error('the local Lambda runtime is not started yet');
            return type === 'Event'
              ? runtime.invokeAsync(reference, JSON.stringify(payload))
              : runtime.invoke(reference, payload);
          },
          log,
          drainTimeoutMs: graceMs,
        }),
      options.lambdaPort,
    );
    started.push(() => lambdaApi.close());

    const lambda = new LambdaRuntime({
      stage: LOCAL_STAGE,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      environment: {
        ...localFunctionEnvironment({
          dataDir,
          dynamodbEndpoint: engine.endpoint,
          schedulerEndpoint: scheduler.endpoint,
          ...(options.asyncRetryDelaysMs === undefined
            ? {}
            : { asyncRetryDelaysMs: options.asyncRetryDelaysMs }),
        }),
        AWS_ENDPOINT_URL_LAMBDA: lambdaApi.endpoint,
      },
      log,
      ...(options.functions === undefined ? {} : { functions: options.functions }),
      ...(options.asyncRetryDelaysMs === undefined ? {} : { asyncRetryDelaysMs: options.asyncRetryDelaysMs }),
    });
    runtime = lambda;
    provideRuntime(lambda);
    started.push(() => lambda.close(graceMs));

    await ensureScheduleGroup(scheduler.endpoint);

    const apiFunction = functionName(LOCAL_STAGE, 'api');
    const front: ApiFront = await listenOrExplain(
      'api',
      portFor('api', options.apiPort),
      (port) =>
        startApiFront({
          port,
          token,
          tokenFile,
          invoke: (event) => lambda.invoke(apiFunction, event),
          accountId: LOCAL_ACCOUNT_ID,
          log,
        }),
      options.apiPort,
    );
    started.push(() => front.close(graceMs));

    const endpoints: LocalEndpoints = {
      apiUrl: front.url,
      schedulerEndpoint: scheduler.endpoint,
      dynamodbEndpoint: engine.endpoint,
      lambdaEndpoint: lambdaApi.endpoint,
      token,
      scheduleGroup: LOCAL_SCHEDULE_GROUP,
    };
    const endpointsFile = join(dataDir, ENDPOINTS_FILE);
    await writePrivateFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    started.push(() => rm(endpointsFile, { force: true }));
    lastPorts.set(dataDir, {
      api: front.port,
      scheduler: scheduler.port,
      dynamodb: Number(new URL(engine.endpoint).port),
      lambda: lambdaApi.port,
    });

    let closing: Promise<void> | undefined;
    return {
      endpoints,
      dataDir,
      dynamodbEngine: engine.kind,
      runtime: lambda,
      scheduler,
      close: () => {
        // In dependency order: nothing new comes in, then what runs finishes while the engines it
        // uses are still up, then the engines flush and stop.
        closing ??= (async () => {
          await front.close(graceMs);
          await scheduler.close();
          await lambdaApi.close();
          const unfinished = await lambda.close(graceMs);
          if (unfinished > 0)
            log(`local: ${unfinished} invocation(s) still running after ${graceMs} ms; stopping anyway`);
          await engine.close();
          await rm(endpointsFile, { force: true });
          await releaseLock();
        })();
        return closing;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

/**
 * Runs `start` on the port, and on a port conflict tries "any port" again if the port was only
 * remembered from an earlier stack; a port the caller asked for is reported as PortInUseError.
 */
async function listenOrExplain<T>(
  part: LocalPart,
  port: number,
  start: (port: number) => Promise<T>,
  requested: number | undefined,
): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (port !== 0 && (requested === undefined || requested === 0)) return start(0);
    throw new PortInUseError(part, port, { cause: error });
  }
}

async function ensureScheduleGroup(endpoint: string): Promise<void> {
  const client = new SchedulerClient({ endpoint, region: LOCAL_REGION });
  try {
    await client.send(new CreateScheduleGroupCommand({ Name: LOCAL_SCHEDULE_GROUP }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  } finally {
    client.destroy();
  }
}

async function prepareDataDir(path: string): Promise<string> {
  const dir = resolve(path);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new DataDirError(dir, 'is a file, not a directory');
  } catch (error) {
    if (error instanceof DataDirError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new DataDirError(dir, 'cannot be created: part of its path is a file', { cause: error });
    if (code !== 'ENOENT') throw new DataDirError(dir, `cannot be read (${code})`, { cause: error });
    try {
      await mkdir(dir, { recursive: true });
    } catch (mkdirError) {
      const reason =
        (mkdirError as NodeJS.ErrnoException).code === 'ENOTDIR'
          ? 'part of its path is a file'
          : String(mkdirError);
      throw new DataDirError(dir, `cannot be created: ${reason}`, { cause: mkdirError });
    }
  }
  try {
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(dir, 'is not writable', { cause: error });
  }
  return dir;
}

/** Takes `<dataDir>/lock` (holding our pid); a lock whose process is gone is taken over. */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid })}\n`;
  if (activeDataDirs.has(dir)) throw new DataDirInUseError(dir, process.pid);
  try {
    await writeFile(path, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DataDirError(dir, 'is not writable', { cause: error });
    }
    const holder = await readLockPid(path);
    if (holder !== undefined && holder !== process.pid && isAlive(holder))
      throw new DataDirInUseError(dir, holder);
    await writeFile(path, content, { mode: 0o600 });
  }
  activeDataDirs.add(dir);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    activeDataDirs.delete(dir);
    await rm(path, { force: true });
  };
}

async function readLockPid(path: string): Promise<number | undefined> {
  try {
    const pid = (JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Written whole or not at all, readable by the owner only (it holds the token). */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

/** One line per emulator entry: `scheduler <event> key=value ...`, e.g. every fire with its outcome. */
export function formatSchedulerEntry(entry: SchedulerLogEntry): string {
  const { event, ...fields } = entry;
  const parts = Object.entries(fields).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
  });
  return ['scheduler', event, ...parts].join(' ');
}
