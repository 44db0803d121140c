/**
 * The fire-lag phase of the scheduler benchmark: 10,000 events due in the same second, each run by a
 * trivial handler (test/fixtures/scheduler-bench-noop.ts) through the real in-process Lambda runtime
 * with its event journal in a temporary data directory, as `tickwork local` runs it. Two ways to fire
 * them, alternating (baseline, emulator, baseline, emulator, …), each on a fresh runtime and data dir:
 *
 * - baseline: ONE `setTimeout` at that second, whose callback hands the 10,000 events to the
 *   runtime's asynchronous path (`invokeAsync`, what the runtime's target invoker calls) in the
 *   emulator's slices of 256: no emulator at all;
 * - emulator: 10,000 `at()` schedules for that second in the Scheduler emulator, whose Target.Input
 *   uses `<aws.scheduler.scheduled-time>`, invoking the runtime through `asTargetInvoker()`.
 *
 * Lag = the moment the handler's run completed (the runtime's debug `invoke` line with outcome
 * succeeded, taken unrendered) − the scheduled second, the same probe for both. Per pair the ratio
 * emulator p99 / baseline p99; the figure is the median of the ratios (ceiling 1.25), so the machine's
 * load, which moves both sides of a pair alike, cancels out.
 */
import { fileURLToPath } from 'node:url';
import { AsyncEventJournal, LambdaRuntime } from '../local/lambda/runtime.ts';
import { LAUNCH_SLICE } from '../local/scheduler/dispatcher.ts';
import { formatScheduledTime, startSchedulerEmulator, type TargetInvoker } from '../local/scheduler/index.ts';
import type { Logger } from '../shared/logger.ts';
import {
  countingLogger,
  createMany,
  credentials,
  gc,
  median,
  percentile,
  ROLE_ARN,
  withDataDir,
} from './scheduler-support.ts';

/** The goal: emulator p99 at most this many times the single-timer baseline's. */
export const FIRE_LAG_CEILING = 1.25;

const NOOP_FUNCTION = 'scheduler-bench-noop';
const NOOP_HANDLER = fileURLToPath(new URL('../test/fixtures/scheduler-bench-noop.ts', import.meta.url));
/** The payload every event carries, as the emulator substitutes it: same bytes on both sides. */
const INPUT_TEMPLATE = '{"slot":"<aws.scheduler.scheduled-time>"}';
/** From the start of a burst's setup to its slot, the same for both sides: room for the emulator's creates. */
const LEAD_MS = 8000;

export interface LagPhase {
  readonly fired: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** When the runtime accepted the event (journaled it), p99 in ms after the slot. */
  readonly acceptedP99: number;
  /** CPU time of the whole process from 100 ms before the slot to the last completion. */
  readonly burstCpuMs: number;
}

export interface LagPair {
  readonly baseline: LagPhase;
  readonly emulator: LagPhase & { readonly setupMs: number };
  /** Emulator p99 / baseline p99. */
  readonly ratio: number;
  /** Emulator burst CPU / baseline burst CPU: less moved by the machine's other work than the lags. */
  readonly cpuRatio: number;
}

export interface FireLagResult {
  readonly events: number;
  readonly pairs: readonly LagPair[];
  readonly medianRatio: number;
  readonly medianCpuRatio: number;
  readonly ceiling: number;
}

/**
 * `pairs` alternating baseline and emulator bursts of `count` events, after one uncounted pair of
 * `warmup` events: the first burst of a process runs colder code (JIT) than the ones after it.
 */
export async function fireLag(count: number, pairs: number, warmup = 2000): Promise<FireLagResult> {
  await baselineBurst(warmup);
  await emulatorBurst(warmup);
  const results: LagPair[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const baseline = await baselineBurst(count);
    const emulator = await emulatorBurst(count);
    results.push({
      baseline,
      emulator,
      ratio: emulator.p99 / baseline.p99,
      cpuRatio: emulator.burstCpuMs / baseline.burstCpuMs,
    });
  }
  return {
    events: count,
    pairs: results,
    medianRatio: median(results.map((pair) => pair.ratio)),
    medianCpuRatio: median(results.map((pair) => pair.cpuRatio)),
    ceiling: FIRE_LAG_CEILING,
  };
}

/**
 * ONE timer at the slot hands every event to the runtime's asynchronous path: no emulator. It hands
 * them over in the emulator's slices (LAUNCH_SLICE, yielding to the event loop between two), so the
 * two sides differ only by the emulator's own work. One plain loop of 10,000 `invokeAsync` calls would
 * be a weaker baseline: every invocation then stays alive until the last is started, and the garbage
 * collector promotes them (p99 270–514 ms against 82–185 ms sliced, in the runs of 2026-11-29).
 */
function baselineBurst(count: number): Promise<LagPhase> {
  return withBurst(count, async (runtime, probe) => {
    const functionArn = runtime.functionArn(NOOP_FUNCTION);
    const due = wholeSecondAfter(LEAD_MS);
    const payload = INPUT_TEMPLATE.replace('<aws.scheduler.scheduled-time>', formatScheduledTime(due));
    const fire = async () => {
      for (let index = 0; index < count; index++) {
        if (index > 0 && index % LAUNCH_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        // The origin the emulator's invocations carry (group/name): the same journal lines.
        runtime.invokeAsync(functionArn, payload, `default/s-${index}`).then(probe.accepted, probe.rejected);
      }
    };
    setTimeout(fire, due.getTime() - Date.now());
    return probe.measure(due.getTime());
  });
}

/** 10,000 at() schedules for the slot in the emulator, invoking the runtime through its target invoker. */
function emulatorBurst(count: number): Promise<LagPhase & { setupMs: number }> {
  return withBurst(count, async (runtime, probe, dataDir) => {
    const runtimeInvoker = runtime.asTargetInvoker();
    const invoker: TargetInvoker = {
      invoke: (target, meta) => runtimeInvoker.invoke(target, meta).then(probe.accepted),
    };
    const emulator = await startSchedulerEmulator({
      dataDir,
      invoker,
      credentials,
      log: countingLogger().log,
    });
    try {
      // Whole seconds (at() has no milliseconds), far enough ahead for the setup to finish.
      const due = wholeSecondAfter(LEAD_MS);
      const expression = `at(${due.toISOString().slice(0, 19)})`;
      const setupStart = Date.now();
      await createMany(emulator, count, () => ({
        ScheduleExpression: expression,
        Target: { Arn: runtime.functionArn(NOOP_FUNCTION), RoleArn: ROLE_ARN, Input: INPUT_TEMPLATE },
        FlexibleTimeWindow: { Mode: 'OFF' },
      }));
      const setupMs = Date.now() - setupStart;
      if (Date.now() >= due.getTime() - 700)
        throw new Error(`setup took ${setupMs} ms, too close to the due time`);
      return { ...(await probe.measure(due.getTime())), setupMs };
    } finally {
      await emulator.close();
    }
  });
}

function wholeSecondAfter(ms: number): Date {
  return new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
}

/** A fresh data dir and runtime (with its event journal), warmed by one invocation, for one burst. */
async function withBurst<T>(
  count: number,
  run: (runtime: LambdaRuntime, probe: BurstProbe, dataDir: string) => Promise<T>,
): Promise<T> {
  return withDataDir(async (dataDir) => {
    const probe = new BurstProbe(count);
    const journal = await AsyncEventJournal.open(dataDir);
    const runtime = new LambdaRuntime({
      journal,
      functions: { [NOOP_FUNCTION]: { entry: NOOP_HANDLER, timeoutSeconds: 30, memorySize: 128 } },
      log: probe.log,
    });
    try {
      // Cold start (module import) before the burst, as a warm function would be.
      await runtime.invoke(NOOP_FUNCTION, {});
      return await run(runtime, probe, dataDir);
    } finally {
      await runtime.close();
    }
  });
}

/** Records one burst: completions, acceptances, the CPU it took. */
class BurstProbe {
  readonly #count: number;
  readonly #lags: number[] = [];
  readonly #accepted: number[] = [];
  #rejected = 0;
  #dueAt = Number.NaN;
  #cpu: NodeJS.CpuUsage | undefined;
  #burstCpuMs = Number.NaN;
  #allDone: () => void = () => {};
  readonly #done = new Promise<void>((resolve) => {
    this.#allDone = resolve;
  });

  constructor(count: number) {
    this.#count = count;
  }

  /**
   * The runtime's logger, as a probe for "the handler returned": its debug `invoke` line of a
   * succeeded asynchronous invocation, taken as it is logged and not rendered, so the measure carries
   * no cost of a debug level that `tickwork local` does not run at.
   */
  readonly log: Logger = {
    debug: (message, fields) => {
      if (message === 'invoke' && fields?.invocationType === 'Event' && fields.outcome === 'succeeded')
        this.#completed();
    },
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => this.log,
    enabled: () => true,
  };

  readonly accepted = (): void => {
    this.#accepted.push(Date.now() - this.#dueAt);
  };

  readonly rejected = (): void => {
    this.#rejected++;
  };

  /**
   * Waits for the burst due at `dueAt` (at most 30 s past it). A full GC half a second before the slot
   * puts both sides in the same state: no garbage of the setup left to collect mid-burst, and the
   * small young generation V8 keeps after a full GC, as after a quiet spell in `tickwork local`.
   * Without it the emulator's burst would meet a young generation grown by its 10,000 creates and
   * collect far less often than the baseline's (7 scavenges against 25 in one run).
   */
  async measure(dueAt: number): Promise<LagPhase> {
    this.#dueAt = dueAt;
    setTimeout(gc, dueAt - Date.now() - 500);
    setTimeout(
      () => {
        this.#cpu = process.cpuUsage();
      },
      dueAt - Date.now() - 100,
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#done,
      new Promise((resolve) => {
        timer = setTimeout(resolve, dueAt - Date.now() + 30_000);
      }),
    ]);
    clearTimeout(timer);
    if (this.#rejected > 0) throw new Error(`${this.#rejected} events were not accepted by the runtime`);
    if (this.#lags.length < this.#count)
      throw new Error(`only ${this.#lags.length} of ${this.#count} events completed within 30 s of the slot`);
    const sorted = [...this.#lags].sort((a, b) => a - b);
    return {
      fired: this.#lags.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
      acceptedP99: percentile(
        [...this.#accepted].sort((a, b) => a - b),
        99,
      ),
      burstCpuMs: this.#burstCpuMs,
    };
  }

  #completed(): void {
    this.#lags.push(Date.now() - this.#dueAt);
    if (this.#lags.length === this.#count) {
      const cpu = process.cpuUsage(this.#cpu);
      this.#burstCpuMs = (cpu.user + cpu.system) / 1000;
      this.#allDone();
    }
  }
}
