/**
 * Benchmarks of the EventBridge Scheduler emulator (run: `npx tsx bench/scheduler.bench.ts`).
 *
 * 1. Fire lag: 10,000 enabled at() schedules due at the same instant, targeting a trivial handler
 *    (test/fixtures/scheduler-bench-noop.ts) through the real in-process Lambda runtime
 *    (`LambdaRuntime.asTargetInvoker()`); lag = moment the handler's run completed (the runtime's
 *    debug `invoke` line with outcome succeeded, taken unrendered) − scheduled time. Target: p99 ≤ 250 ms.
 * 2. Idle cost: 100,000 schedules loaded, none due within the hour: CPU over 10 s as % of one core,
 *    heap and RSS per schedule, and the time to restart (replay the journal) with them.
 * 3. CreateSchedule throughput through @aws-sdk/client-scheduler over HTTP, against DynamoDB
 *    PutItem on dynalite (in-process, same run, same concurrency, same client stack) as baseline.
 *    The two alternate over several rounds and the medians are compared, so a change in the
 *    machine's load during the run hits both sides.
 *
 * Setup of phases 1 and 2 goes through the emulator's in-process store API (`emulator.store`): the
 * same validation and journal path as the HTTP server, without 110,000 HTTP round trips.
 *
 * `--only=lag` runs phase 1 alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import dynalite from 'dynalite';
import { AsyncEventJournal, LambdaRuntime } from '../local/lambda/runtime.ts';
import {
  type SchedulerEmulator,
  startSchedulerEmulator,
  type TargetInvoker,
} from '../local/scheduler/index.ts';
import { createLogger, type Logger, silentLogger } from '../shared/logger.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The emulator accepts only requests signed with the credentials it was started with.
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const ROLE_ARN = 'arn:aws:iam::000000000000:role/bench';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:bench';
const NOOP_FUNCTION = 'scheduler-bench-noop';
const NOOP_HANDLER = fileURLToPath(new URL('../test/fixtures/scheduler-bench-noop.ts', import.meta.url));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The project's logger at the level `tickwork local` runs at (info), counting the bytes of the lines
 * it renders instead of writing them, so its cost is paid without terminal output.
 */
function countingLogger(): { log: Logger; bytes: () => number } {
  let bytes = 0;
  return {
    log: createLogger({
      level: 'info',
      write: (line) => {
        bytes += line.length;
      },
    }),
    bytes: () => bytes,
  };
}

/**
 * The probe for "the handler returned": the runtime's debug `invoke` line of a succeeded asynchronous
 * invocation, taken as it is logged and not rendered, so the measure carries no cost of a debug
 * level that `tickwork local` does not run at.
 */
function completionProbe(done: () => void): Logger {
  const probe: Logger = {
    debug: (message, fields) => {
      if (message === 'invoke' && fields?.invocationType === 'Event' && fields.outcome === 'succeeded')
        done();
    },
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => probe,
    enabled: () => true,
  };
  return probe;
}

const noopInvoker: TargetInvoker = { invoke: async () => undefined };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

async function withDataDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-bench-scheduler-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function createMany(
  emulator: SchedulerEmulator,
  count: number,
  body: (index: number) => Record<string, unknown>,
): Promise<void> {
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const work: Promise<string>[] = [];
    for (let index = start; index < Math.min(count, start + batch); index++) {
      work.push(emulator.store.schedules.create(`s-${index}`, body(index)));
    }
    await Promise.all(work);
  }
}

// ---------------------------------------------------------------------------------------------------

interface LagResult {
  readonly schedules: number;
  readonly fired: number;
  /** When the runtime accepted the event (the emulator's invocation resolved), p99 in ms after the slot. */
  readonly acceptedP99: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly setupMs: number;
  /** CPU time of the whole process from 100 ms before the due time to the last invocation. */
  readonly burstCpuMs: number;
}

async function fireLag(count: number): Promise<LagResult> {
  return withDataDir(async (dataDir) => {
    const lags: number[] = [];
    let resolveAll: () => void = () => undefined;
    const allFired = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    let burstCpu: NodeJS.CpuUsage | undefined;
    let dueAt = Number.NaN;
    // As `tickwork local` runs it: every accepted event journaled before the emulator's invocation resolves.
    const journal = await AsyncEventJournal.open(dataDir);
    const runtime = new LambdaRuntime({
      journal,
      functions: { [NOOP_FUNCTION]: { entry: NOOP_HANDLER, timeoutSeconds: 30, memorySize: 128 } },
      log: completionProbe(() => {
        lags.push(Date.now() - dueAt);
        if (lags.length === count) {
          burstCpu = process.cpuUsage(burstCpu);
          resolveAll();
        }
      }),
    });
    const runtimeInvoker = runtime.asTargetInvoker();
    const accepted: number[] = [];
    const invoker: TargetInvoker = {
      invoke: async (target, meta) => {
        await runtimeInvoker.invoke(target, meta);
        accepted.push(Date.now() - dueAt);
      },
    };
    const functionArn = runtime.functionArn(NOOP_FUNCTION);
    // Cold start (module import) before the burst, as a warm function would be.
    await runtime.invoke(NOOP_FUNCTION, {});
    const logger = countingLogger();
    const emulator = await startSchedulerEmulator({ dataDir, invoker, credentials, log: logger.log });
    try {
      // Whole seconds (at() has no milliseconds), far enough ahead for the setup to finish.
      const due = new Date(Math.ceil((Date.now() + 8000) / 1000) * 1000);
      dueAt = due.getTime();
      const expression = `at(${due.toISOString().slice(0, 19)})`;
      const setupStart = Date.now();
      await createMany(emulator, count, () => ({
        ScheduleExpression: expression,
        Target: { Arn: functionArn, RoleArn: ROLE_ARN, Input: '{"slot":"<aws.scheduler.scheduled-time>"}' },
        FlexibleTimeWindow: { Mode: 'OFF' },
      }));
      const setupMs = Date.now() - setupStart;
      if (Date.now() >= due.getTime() - 500)
        throw new Error(`setup took ${setupMs} ms, too close to the due time`);
      setTimeout(
        () => {
          burstCpu = process.cpuUsage();
        },
        due.getTime() - Date.now() - 100,
      );
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, due.getTime() - Date.now() + 30_000),
      );
      await Promise.race([allFired, timeout]);
      const sorted = [...lags].sort((a, b) => a - b);
      return {
        schedules: count,
        fired: lags.length,
        acceptedP99: percentile(
          [...accepted].sort((a, b) => a - b),
          99,
        ),
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
        setupMs,
        burstCpuMs: burstCpu === undefined ? Number.NaN : (burstCpu.user + burstCpu.system) / 1000,
      };
    } finally {
      await emulator.close();
      await runtime.close();
      await journal.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------------

interface IdleResult {
  readonly schedules: number;
  readonly loadMs: number;
  /** The same process before the emulator started: the noise floor of Node, tsx and this machine. */
  readonly baselineCpuPercent: number;
  readonly cpuPercent: number;
  readonly heapBytesPerSchedule: number;
  readonly rssBytesPerSchedule: number;
  readonly restartMs: number;
  readonly idleSeconds: number;
}

async function idleCost(count: number, idleSeconds: number): Promise<IdleResult> {
  return withDataDir(async (dataDir) => {
    gc();
    const baselineCpuPercent = await cpuPercentOver(idleSeconds);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const logger = countingLogger();
    let emulator = await startSchedulerEmulator({
      dataDir,
      invoker: noopInvoker,
      credentials,
      log: logger.log,
    });
    const now = new Date();
    // Nothing due within the hour: a daily cron two hours ahead, and a 1-day rate starting in two hours.
    const hour = (now.getUTCHours() + 2) % 24;
    const rateStart = (now.getTime() + 2 * 3_600_000) / 1000;
    const loadStart = Date.now();
    await createMany(emulator, count, (index) =>
      index % 2 === 0
        ? {
            ScheduleExpression: `cron(${index % 60} ${hour} * * ? *)`,
            Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: `{"job":"job-${index}"}` },
            FlexibleTimeWindow: { Mode: 'OFF' },
          }
        : {
            ScheduleExpression: 'rate(1 day)',
            StartDate: rateStart,
            Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: `{"job":"job-${index}"}` },
            FlexibleTimeWindow: { Mode: 'OFF' },
          },
    );
    const loadMs = Date.now() - loadStart;
    try {
      // Let the load's garbage and any compaction settle before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      gc();
      const heapAfter = process.memoryUsage().heapUsed;
      const rssAfter = process.memoryUsage().rss;
      const cpuPercent = await cpuPercentOver(idleSeconds);
      await emulator.close();

      const restartStart = Date.now();
      emulator = await startSchedulerEmulator({
        dataDir,
        invoker: noopInvoker,
        credentials,
        log: logger.log,
      });
      const restartMs = Date.now() - restartStart;
      return {
        schedules: count,
        loadMs,
        baselineCpuPercent,
        cpuPercent,
        heapBytesPerSchedule: (heapAfter - heapBefore) / count,
        rssBytesPerSchedule: (rssAfter - rssBefore) / count,
        restartMs,
        idleSeconds,
      };
    } finally {
      await emulator.close();
    }
  });
}

async function cpuPercentOver(seconds: number): Promise<number> {
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = process.cpuUsage(cpuStart);
  const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000;
  return ((cpu.user + cpu.system) / wallUs) * 100;
}

// ---------------------------------------------------------------------------------------------------

interface ThroughputResult {
  readonly concurrency: number;
  readonly operationsPerRound: number;
  readonly rounds: number;
  /** Median over the rounds. */
  readonly schedulerPerSecond: number;
  readonly dynamoPerSecond: number;
  readonly ratio: number;
  readonly schedulerRounds: number[];
  readonly dynamoRounds: number[];
}

async function runConcurrently(
  total: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < total; index = next++) await operation(index);
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function throughput(
  operationsPerRound: number,
  concurrency: number,
  rounds: number,
): Promise<ThroughputResult> {
  return withDataDir(async (dataDir) => {
    const emulator = await startSchedulerEmulator({
      dataDir,
      invoker: noopInvoker,
      credentials,
      log: silentLogger,
    });
    const scheduler = new SchedulerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
    const dynamo = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
    const address = dynamo.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dynamodb = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials,
    });
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'bench',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      // Warm both paths (connections, JIT) with keys outside the measured ones.
      const warmup = Math.min(200, operationsPerRound);
      await runConcurrently(warmup, concurrency, (index) =>
        scheduler.send(new CreateScheduleCommand(scheduleCommand(`warm-${index}`, concurrency))),
      );
      await runConcurrently(warmup, concurrency, (index) =>
        dynamodb.send(putItem(`warm-${concurrency}-${index}`)),
      );

      const schedulerRounds: number[] = [];
      const dynamoRounds: number[] = [];
      for (let round = 0; round < rounds; round++) {
        schedulerRounds.push(
          await runConcurrently(operationsPerRound, concurrency, (index) =>
            scheduler.send(new CreateScheduleCommand(scheduleCommand(`r${round}-${index}`, concurrency))),
          ),
        );
        dynamoRounds.push(
          await runConcurrently(operationsPerRound, concurrency, (index) =>
            dynamodb.send(putItem(`c${concurrency}-r${round}-${index}`)),
          ),
        );
      }
      const schedulerPerSecond = median(schedulerRounds);
      const dynamoPerSecond = median(dynamoRounds);
      return {
        concurrency,
        operationsPerRound,
        rounds,
        schedulerPerSecond,
        dynamoPerSecond,
        ratio: schedulerPerSecond / dynamoPerSecond,
        schedulerRounds,
        dynamoRounds,
      };
    } finally {
      scheduler.destroy();
      dynamodb.destroy();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      await emulator.close();
    }
  });
}

function scheduleCommand(name: string, concurrency: number) {
  return {
    Name: `${name}-c${concurrency}`,
    ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    Target: {
      Arn: FUNCTION_ARN,
      RoleArn: ROLE_ARN,
      Input: '{"jobName":"nightly-report","slot":"<aws.scheduler.scheduled-time>"}',
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
    },
    FlexibleTimeWindow: { Mode: 'OFF' as const },
  };
}

/** An item of about the size of a schedule record, as Tickwork's job table would hold. */
function putItem(key: string) {
  return new PutItemCommand({
    TableName: 'bench',
    Item: {
      pk: { S: key },
      expression: { S: 'cron(0 9 ? * MON-FRI *)' },
      timezone: { S: 'Europe/Berlin' },
      target: { S: FUNCTION_ARN },
      role: { S: ROLE_ARN },
      input: { S: '{"jobName":"nightly-report","slot":"<aws.scheduler.scheduled-time>"}' },
      retries: { N: '2' },
      maxAge: { N: '3600' },
    },
  });
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const os = await import('node:os');
  const results: Record<string, unknown> = {
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtStart: os.loadavg(),
  };
  console.log(`scheduler emulator benchmark (node ${process.version})`);
  const lagOnly = process.argv.includes('--only=lag');

  for (const concurrency of lagOnly ? [] : [1, 16]) {
    const result = await throughput(concurrency === 1 ? 300 : 1000, concurrency, 5);
    results[`throughput_c${concurrency}`] = result;
    console.log(
      `CreateSchedule via SDK, concurrency ${concurrency}: ${result.schedulerPerSecond.toFixed(0)}/s; ` +
        `dynalite PutItem: ${result.dynamoPerSecond.toFixed(0)}/s; ratio ${result.ratio.toFixed(2)} ` +
        `(medians of ${result.rounds} alternating rounds)`,
    );
  }

  const lag = await fireLag(10_000);
  results.fireLag = lag;
  console.log(
    `fire lag, ${lag.schedules} at() schedules due at one instant: fired ${lag.fired}, ` +
      `handler done p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms ` +
      `(event accepted by the runtime p99 ${lag.acceptedP99} ms); burst CPU ${lag.burstCpuMs.toFixed(0)} ms ` +
      `(setup ${lag.setupMs} ms)`,
  );

  if (lagOnly) {
    results.loadAverageAtEnd = os.loadavg();
    console.log(JSON.stringify(results, null, 2));
    return;
  }

  const idle = await idleCost(100_000, 10);
  results.idle = idle;
  console.log(
    `idle, ${idle.schedules} schedules (loaded in ${idle.loadMs} ms): CPU ${idle.cpuPercent.toFixed(2)}% of a core ` +
      `(same process before loading: ${idle.baselineCpuPercent.toFixed(2)}%) ` +
      `over ${idle.idleSeconds} s; heap ${idle.heapBytesPerSchedule.toFixed(0)} B/schedule, ` +
      `RSS ${idle.rssBytesPerSchedule.toFixed(0)} B/schedule; restart (replay of the journal) ${idle.restartMs} ms`,
  );

  results.loadAverageAtEnd = os.loadavg();
  console.log(JSON.stringify(results, null, 2));
}

await main();
