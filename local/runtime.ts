/**
 * The local stack: one composition root that starts, in order, the DynamoDB engine (and its tables),
 * the Scheduler emulator with the in-process Lambda runtime as its invoker, the Lambda Invoke
 * endpoint the functions call, and the API front; then it takes up what an earlier process left
 * unfinished (the runtime's journaled events, the emulator's slots not handed over) and reconciles
 * jobs with their schedules. `tickwork local` runs it; integration tests start it in-process on port 0
 * with a temporary data directory.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ENV } from '../shared/config.ts';
import { functionName } from '../shared/functions.ts';
import type { JobKind } from '../shared/kinds/registry.ts';
import { type LogFormat, type Logger, type LogLevel, silentLogger } from '../shared/logger.ts';
import { type ApiFront, startApiFront } from './api-front/server.ts';
import { loadOrCreateToken } from './api-front/token.ts';
import { systemTimerClock, type TimerClock } from './clock.ts';
import { type LocalCredentials, loadOrCreateCredentials } from './credentials.ts';
import { lockDataDir, prepareDataDir, writePrivateFile } from './data-dir.ts';
import { type DynamoDbEngine, startDynamoDbEngine } from './dynamodb/engine.ts';
import type { EngineKind, EngineSpec } from './dynamodb/engine-spec.ts';
import { ensureTables } from './dynamodb/tables.ts';
import { type EventBridgeApi, startEventBridgeApi } from './eventbridge/server.ts';
import { AsyncEventJournal } from './lambda/async-journal.ts';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  LOCAL_SCHEDULE_GROUPS,
  LOCAL_STAGE,
  localFunctionEnvironment,
  localProcessEnvironment,
  localServiceEndpoints,
} from './lambda/environment.ts';
import { type FunctionEntry, LambdaRuntime } from './lambda/runtime.ts';
import { type LambdaApi, startLambdaApi } from './lambda-api/server.ts';
import { assertRequestedPortsFree, rememberPorts, startOnPort } from './part-ports.ts';
import { reconcileAtStart } from './reconcile-at-start.ts';
import { type SchedulerEmulator, startSchedulerEmulator, type TargetInvoker } from './scheduler/index.ts';
import { type LocalSweeper, startLocalSweeper } from './sweeper.ts';

/** What a client of the local stack needs; written to `<dataDir>/endpoints.json` once it is ready. */
export interface LocalEndpoints {
  readonly apiUrl: string;
  readonly schedulerEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local Lambda Invoke endpoint (AWS_ENDPOINT_URL_LAMBDA of the functions). */
  readonly lambdaEndpoint: string;
  /** The local EventBridge endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE of the functions): PutEvents only. */
  readonly eventbridgeEndpoint: string;
  /** Bearer token of the API. */
  readonly token: string;
  /**
   * What the Scheduler, Lambda and DynamoDB endpoints accept SigV4 signatures of (and nothing else):
   * give them to an SDK client or the AWS CLI (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION).
   */
  readonly credentials: LocalCredentials & { readonly region: string };
  /** The schedule group of each kind (one group per kind). */
  readonly scheduleGroups: Readonly<Record<JobKind, string>>;
}

export { DataDirError, DataDirInUseError } from './data-dir.ts';
export type { LocalPart, PortConflict } from './part-ports.ts';
export { PortsInUseError } from './part-ports.ts';

export interface LocalStackOptions {
  /**
   * Where everything is kept: tables, schedules, dead letters, the token and the credentials.
   * Created if missing.
   */
  readonly dataDir: string;
  /** Ports of each part; 0 (the default) picks a free one and `endpoints` says which. */
  readonly apiPort?: number;
  readonly schedulerPort?: number;
  readonly dynamodbPort?: number;
  readonly lambdaPort?: number;
  readonly eventbridgePort?: number;
  /**
   * Event buses the local EventBridge endpoint has besides `default`; PutEvents to another bus is refused
   * for that entry (ResourceNotFoundException), as the service refuses a bus that does not exist.
   */
  readonly eventBuses?: readonly string[];
  /** @default dynalite */
  readonly dynamodb?: EngineSpec;
  /**
   * The stack's own lines, each part as its component: `scheduler` (fires, missed slots, retries),
   * `lambda` (invocations), `api` (requests the front answers by itself) and `local` (the stack).
   * @default silent
   */
  readonly log?: Logger;
  /**
   * Level and format of the lines the functions write themselves (their TICKWORK_LOG_LEVEL and
   * TICKWORK_LOG_FORMAT), e.g. the API's one line per request and the run lifecycle's.
   * @default info, json: what the functions default to in AWS
   */
  readonly functionLogs?: { readonly level: LogLevel; readonly format: LogFormat };
  /**
   * Clock of the Scheduler emulator and the Lambda runtime (fires, function deadlines, retry delays).
   * @default the system clock
   */
  readonly clock?: TimerClock;
  /** Extra or replacing functions for the Lambda runtime, by function name (tests). */
  readonly functions?: Readonly<Record<string, FunctionEntry>>;
  /** Waits before Lambda's retries of a failed asynchronous invocation. @default one and two minutes */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * How long `close()` lets HTTP requests in flight finish (the API front's, the Invoke endpoint's)
   * before it cuts their connections. Invocations are not cut short by it: each running one gets until
   * its deadline (its function's timeout), so the outcome it records is kept. @default 10 s
   */
  readonly shutdownGraceMs?: number;
}

export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly dynamodbEngine: EngineKind;
  readonly runtime: LambdaRuntime;
  readonly scheduler: SchedulerEmulator;
  /** The dashboard's URL with a new one-time login code, served by the API front. */
  dashboardLoginUrl(): string;
  /** The sweeper's timer (local/sweeper.ts); `sweepNow` runs a sweep at once. */
  readonly sweeper: LocalSweeper;
  /**
   * Stops taking new work (the emulator stops firing, the API front stops accepting; the emulator's
   * API and the Invoke endpoint close once the front's requests, which may call them, are done),
   * lets HTTP requests in flight finish (bounded by `shutdownGraceMs`) and running
   * invocations reach their end or their deadline, with DynamoDB still up so their outcomes are
   * recorded; then flushes the engines, removes endpoints.json and releases the data directory.
   * Pending retries stay in the journals for the next start.
   */
  close(): Promise<void>;
}

export const ENDPOINTS_FILE = 'endpoints.json';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? silentLogger;
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const dataDir = await prepareDataDir(options.dataDir);
  const releaseLock = await lockDataDir(dataDir);

  // Undo, newest first, whatever started before a failure.
  const started: Array<() => Promise<unknown>> = [releaseLock];
  const undo = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
  };
  try {
    const spec = options.dynamodb ?? { kind: 'dynalite' };
    await assertRequestedPortsFree({
      api: options.apiPort,
      scheduler: options.schedulerPort,
      // An external engine listens wherever it listens; no port of ours is involved.
      dynamodb: spec.kind === 'external' ? undefined : options.dynamodbPort,
      lambda: options.lambdaPort,
      eventbridge: options.eventbridgePort,
    });
    Object.assign(process.env, localProcessEnvironment(process.env));
    const { token, path: tokenFile } = await loadOrCreateToken(dataDir);
    const { credentials } = await loadOrCreateCredentials(dataDir);

    const engine: DynamoDbEngine = await startOnPort(dataDir, 'dynamodb', options.dynamodbPort, (port) =>
      startDynamoDbEngine({ spec, dataDir, port, credentials, region: LOCAL_REGION }),
    );
    started.push(() => engine.close());
    if (engine.kind !== 'dynalite') {
      log.child({ component: 'local' }).warn('this DynamoDB engine is not guarded by the stack', {
        engine: engine.kind,
        endpoint: engine.endpoint,
        detail:
          engine.kind === 'external'
            ? 'an external engine answers whoever its owner lets in'
            : 'DynamoDB Local listens on every interface and accepts any credentials',
      });
    }
    // A copy per client: the SDK writes its bookkeeping ($source) into the credentials object it gets.
    const dynamodb = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: { ...credentials },
    });
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
    // Once the runtime exists, its invoker is called directly: a burst of fires pays no extra await each.
    let runtimeInvoker: TargetInvoker | undefined;
    const invoker: TargetInvoker = {
      invoke: (target, meta) =>
        runtimeInvoker === undefined
          ? runtimeReady.then((runtime) => {
              runtimeInvoker ??= runtime.asTargetInvoker();
              return runtimeInvoker.invoke(target, meta);
            })
          : runtimeInvoker.invoke(target, meta),
    };
    const scheduler = await startOnPort(dataDir, 'scheduler', options.schedulerPort, (port) =>
      startSchedulerEmulator({
        dataDir,
        port,
        invoker,
        log,
        credentials,
        region: LOCAL_REGION,
        accountId: LOCAL_ACCOUNT_ID,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      }),
    );
    started.push(() => scheduler.close());

    // The Invoke endpoint needs the runtime and the runtime's environment needs the endpoint's URL.
    let runtime: LambdaRuntime | undefined;
    const lambdaApi: LambdaApi = await startOnPort(dataDir, 'lambda', options.lambdaPort, (port) =>
      startLambdaApi({
        port,
        credentials,
        region: LOCAL_REGION,
        // An Event invocation is answered 202 once the runtime journaled it, as Lambda answers once queued.
        acceptEvent: async (reference, payload) => {
          if (runtime === undefined) throw new Error('the local Lambda runtime is not started yet');
          return runtime.invokeAsync(reference, JSON.stringify(payload));
        },
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
    );
    started.push(() => lambdaApi.close());

    const eventbridge: EventBridgeApi = await startOnPort(
      dataDir,
      'eventbridge',
      options.eventbridgePort,
      (port) =>
        startEventBridgeApi({
          port,
          credentials,
          region: LOCAL_REGION,
          accountId: LOCAL_ACCOUNT_ID,
          dataDir,
          log,
          ...(options.eventBuses === undefined ? {} : { buses: options.eventBuses }),
        }),
    );
    started.push(() => eventbridge.close(graceMs));

    // Accepted asynchronous events live here until done, so a crash loses none (async-journal.ts).
    const journal = await AsyncEventJournal.open(dataDir);
    started.push(() => journal.close());
    if (journal.tornTail) {
      log
        .child({ component: 'lambda' })
        .warn('ignored a torn last line of the event journal (the stack stopped mid-write)', {
          path: journal.path,
        });
    }
    const functionEnvironment = {
      ...localFunctionEnvironment({
        dataDir,
        credentials,
        dynamodbEndpoint: engine.endpoint,
        schedulerEndpoint: scheduler.endpoint,
        eventbridgeEndpoint: eventbridge.endpoint,
        ...localServiceEndpoints(process.env),
        ...(options.asyncRetryDelaysMs === undefined
          ? {}
          : { asyncRetryDelaysMs: options.asyncRetryDelaysMs }),
      }),
      AWS_ENDPOINT_URL_LAMBDA: lambdaApi.endpoint,
      // Read by the handlers at load, like the rest of their configuration.
      [ENV.logLevel]: options.functionLogs?.level ?? 'info',
      [ENV.logFormat]: options.functionLogs?.format ?? 'json',
    };
    const lambda = new LambdaRuntime({
      journal,
      stage: LOCAL_STAGE,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      environment: functionEnvironment,
      log,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.functions === undefined ? {} : { functions: options.functions }),
      ...(options.asyncRetryDelaysMs === undefined ? {} : { asyncRetryDelaysMs: options.asyncRetryDelaysMs }),
    });
    runtime = lambda;
    provideRuntime(lambda);
    started.push(() => lambda.close(0));

    await ensureScheduleGroups(scheduler.endpoint, credentials);
    // Everything the handlers reach is up: events a previous process left unfinished go on.
    await lambda.recover();

    const apiFunction = functionName(LOCAL_STAGE, 'api');
    const front: ApiFront = await startOnPort(dataDir, 'api', options.apiPort, (port) =>
      startApiFront({
        port,
        token,
        tokenFile,
        invoke: (event) => lambda.invoke(apiFunction, event),
        accountId: LOCAL_ACCOUNT_ID,
        log,
      }),
    );
    started.push(() => front.close(graceMs));

    await reconcileAtStart({
      invoke: (event) => lambda.invoke(apiFunction, event),
      log: log.child({ component: 'local' }),
      now: new Date(),
      accountId: LOCAL_ACCOUNT_ID,
    });

    // Late jobs and missed slots, once a minute on the runtime's clock, and once now: slots missed while
    // the stack was down are recorded and caught up. The due index fill is done before the stack answers.
    const sweeper = startLocalSweeper({
      environment: functionEnvironment,
      dynamodbEndpoint: engine.endpoint,
      lambdaEndpoint: lambdaApi.endpoint,
      credentials,
      region: LOCAL_REGION,
      clock: options.clock ?? systemTimerClock,
      log,
    });
    started.push(() => sweeper.stop());
    await sweeper.started;

    const endpoints: LocalEndpoints = {
      apiUrl: front.url,
      schedulerEndpoint: scheduler.endpoint,
      dynamodbEndpoint: engine.endpoint,
      lambdaEndpoint: lambdaApi.endpoint,
      eventbridgeEndpoint: eventbridge.endpoint,
      token,
      credentials: { ...credentials, region: LOCAL_REGION },
      scheduleGroups: LOCAL_SCHEDULE_GROUPS,
    };
    const endpointsFile = join(dataDir, ENDPOINTS_FILE);
    await writePrivateFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    started.push(() => rm(endpointsFile, { force: true }));
    rememberPorts(dataDir, {
      api: front.port,
      scheduler: scheduler.port,
      dynamodb: Number(new URL(engine.endpoint).port),
      lambda: lambdaApi.port,
      eventbridge: eventbridge.port,
    });

    let closing: Promise<void> | undefined;
    return {
      endpoints,
      dataDir,
      dynamodbEngine: engine.kind,
      runtime: lambda,
      scheduler,
      dashboardLoginUrl: () => front.dashboardLoginUrl(),
      sweeper,
      close: () => {
        // In dependency order: nothing new comes in, then what runs finishes while the engines it
        // uses are still up, then the engines flush and stop.
        closing ??= (async () => {
          // The emulator stops firing at once; its API still answers the requests the front drains.
          const firingStopped = scheduler.stopFiring();
          await sweeper.stop();
          await front.close(graceMs);
          await firingStopped;
          await scheduler.close();
          await lambdaApi.close();
          // Each running invocation gets until its deadline, with DynamoDB up to record its outcome.
          const unfinished = await lambda.close();
          if (unfinished > 0) {
            log
              .child({ component: 'local' })
              .warn(
                'invocations still running at their deadline; their events are retried at the next start',
                {
                  unfinished,
                },
              );
          }
          // Running invocations may put events until they end: the EventBridge endpoint closes after them.
          await eventbridge.close(graceMs);
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
 * Creates each kind's schedule group (as the stack does in AWS). A legacy single group a data directory
 * from before one group per kind holds is left for reconcile at start to empty.
 */
async function ensureScheduleGroups(endpoint: string, credentials: LocalCredentials): Promise<void> {
  const client = new SchedulerClient({ endpoint, region: LOCAL_REGION, credentials: { ...credentials } });
  try {
    for (const group of Object.values(LOCAL_SCHEDULE_GROUPS)) {
      try {
        await client.send(new CreateScheduleGroupCommand({ Name: group }));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
      }
    }
  } finally {
    client.destroy();
  }
}
