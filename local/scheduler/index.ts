/**
 * The EventBridge Scheduler emulator: an HTTP server that `@aws-sdk/client-scheduler` (and the AWS
 * CLI) talk to unmodified, which persists schedules under a data directory and fires them on time
 * through a TargetInvoker. This module is its composition root.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { systemTimerClock, type TimerClock } from '../clock.ts';
import type { LocalCredentials } from '../credentials.ts';
import { createRequestGuard } from '../http/guard.ts';
import { type HttpListener, listenHttp } from '../http/server.ts';
import { DeadLetterStore } from './dead-letters.ts';
import { Dispatcher } from './dispatcher.ts';
import { createRequestListener, MAX_BODY_BYTES } from './http.ts';
import { Journal } from './journal.ts';
import type { DeadLetter } from './model.ts';
import { SchedulerStore } from './store.ts';
import type { TargetInvoker } from './target-invoker.ts';

export type { CancelTimer, TimerClock } from '../clock.ts';
export { ManualClock, systemTimerClock } from '../clock.ts';
export { DEAD_LETTERS_FILE, listDeadLetters } from './dead-letters.ts';
export type { FireOutcome } from './delivery.ts';
export type { DeadLetter } from './model.ts';
export type { InvocationMeta, TargetInvoker, TargetRef } from './target-invoker.ts';
export { formatScheduledTime, substituteContextAttributes } from './target-invoker.ts';

/** The journal file under the data directory. */
export const JOURNAL_FILE = 'scheduler-journal.jsonl';
/** How long `close()` waits for invocations in flight. */
const CLOSE_GRACE_MS = 10_000;

export interface SchedulerEmulatorOptions {
  /** Where the journal and the dead-letter store live; created if missing. */
  readonly dataDir: string;
  /** 0 picks a free port. The emulator listens on 127.0.0.1 only. */
  readonly port?: number;
  /** The only credentials accepted: every request must be SigV4-signed with them (service `scheduler`). */
  readonly credentials: LocalCredentials;
  readonly invoker: TargetInvoker;
  /** @default the system clock with real timers */
  readonly clock?: TimerClock;
  /** Uniform in [0, 1); picks the moment inside a flexible time window. @default Math.random */
  readonly random?: () => number;
  /**
   * Gets one line per fire attempt (debug when it succeeded: a burst of thousands is routine; warn
   * when retried, dead-lettered or dropped) and per notable event (missed slots, restored and
   * expired retries, start and stop), as component `scheduler`. @default JSON lines on stdout at info
   */
  readonly log?: Logger;
  /** The Region of the ARNs and of the signatures accepted. @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
}

export interface SchedulerEmulator {
  /** `http://host:port`, for the client's `endpoint` or AWS_ENDPOINT_URL_SCHEDULER. */
  readonly endpoint: string;
  readonly port: number;
  /**
   * The operations the HTTP server calls, with the same validation, for in-process use (seeding
   * many schedules in a benchmark without HTTP).
   */
  readonly store: SchedulerStore;
  /**
   * Stops firing (timers and retry timers) while the API keeps answering, and waits for invocations
   * in flight (at most 10 s): what a stopping stack does first, while requests still being answered
   * elsewhere may call this API.
   */
  stopFiring(): Promise<void>;
  /**
   * Stops firing and accepting requests, waits for invocations in flight (at most 10 s), flushes
   * the journal. Pending retries stay persisted and are re-armed by the next start on the same directory.
   */
  close(): Promise<void>;
  /** Events that could not be delivered, oldest first. */
  listDeadLetters(): Promise<DeadLetter[]>;
  /** Resolves when no fire is being persisted or invoked (pending retries wait on the clock and do not count). */
  idle(): Promise<void>;
}

export async function startSchedulerEmulator(options: SchedulerEmulatorOptions): Promise<SchedulerEmulator> {
  const clock = options.clock ?? systemTimerClock;
  const log = (options.log ?? createLogger()).child({ component: 'scheduler' });
  const arn = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const reportError = (message: string, error: unknown) => log.error(message, { error: describe(error) });

  const { journal, replay } = await Journal.open(join(options.dataDir, JOURNAL_FILE));
  if (replay.tornTail) {
    log.warn('ignored a torn last line of the journal (the emulator stopped mid-write)', {
      path: journal.path,
    });
  }
  const store = new SchedulerStore({ journal, arn, now: () => clock.now().getTime(), onError: reportError });
  for (const broken of store.replay(replay.records)) {
    log.error('stored schedule is not fired, its expression no longer validates', { ...broken });
  }
  // A torn last line must go before anything is appended after it: rewrite at once. A journal with
  // much more history than state is compacted in the background (appends wait only for the swap).
  const snapshotLines = store.groupCount + 2 * store.scheduleCount;
  if (replay.tornTail) {
    await journal.compact(() => store.snapshot());
  } else if (replay.records.length > 2 * snapshotLines + 100) {
    journal
      .compact(() => store.snapshot())
      .catch((error: unknown) => reportError('journal compaction failed', error));
  }
  await store.ensureDefaultGroup();

  const deadLetters = new DeadLetterStore(options.dataDir);
  const dispatcher = new Dispatcher({
    store,
    clock,
    invoker: options.invoker,
    random: options.random ?? Math.random,
    log,
    deadLetters,
  });
  store.attach(dispatcher);
  dispatcher.restore(clock.now().getTime());

  const guard = createRequestGuard({
    credentials: options.credentials,
    region: arn.region,
    service: 'scheduler',
    maxBodyBytes: MAX_BODY_BYTES,
  });
  const server = createServer(
    { keepAlive: true },
    createRequestListener(store, guard, (error) => {
      // An internal error is the emulator's bug: the stack says where.
      log.error('request failed', {
        error: describe(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }),
  );
  let listener: HttpListener;
  try {
    listener = await listenHttp(server, { port: options.port ?? 0 });
  } catch (error) {
    await dispatcher.stop(0);
    await journal.close();
    throw error;
  }
  const endpoint = listener.url;
  log.info('started', { endpoint, schedules: store.scheduleCount, groups: store.groupCount });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Requests being answered and invocations in flight share one grace period.
      const serverClosed = listener.close(CLOSE_GRACE_MS);
      const abandoned = await dispatcher.stop(CLOSE_GRACE_MS);
      await serverClosed;
      await deadLetters.flush();
      const pendingRetries = store.pendingRetryCount;
      await journal.close();
      log.info('stopped', { abandonedInvocations: abandoned, pendingRetries });
    })();
    return closing;
  };

  return {
    endpoint,
    port: listener.port,
    store,
    stopFiring: async () => {
      await dispatcher.stop(CLOSE_GRACE_MS);
    },
    close,
    listDeadLetters: () => deadLetters.list(),
    idle: () => dispatcher.idle(),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
