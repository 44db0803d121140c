/**
 * The loop of the CLI's watching commands (`runs --follow`, `status --watch`): look, wait, look again,
 * until Ctrl-C. SIGINT (and SIGTERM) end the loop cleanly, which the commands answer with exit 0: being
 * stopped is how a watch is meant to end. A look that fails for a passing reason (the API unreachable
 * or answering 5xx, as while the local stack restarts) is reported on stderr and tried again at the next
 * look; the first look's failure, and any other, ends the command through its error boundary.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, ApiUnreachableError } from './api-client.ts';
import { UsageError } from './usage-error.ts';

/** The default pause between two looks. */
export const DEFAULT_INTERVAL_MS = 2_000;

/** `--interval <SECONDS>`: a positive number of seconds (fractions allowed, so a test can poll fast), at most an hour. */
export function parseInterval(text: string, flag: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 0.1 && seconds <= 3600)) {
    throw new UsageError(`${flag} must be a number of seconds from 0.1 to 3600, got "${text}"`);
  }
  return Math.round(seconds * 1000);
}

function isPassing(error: unknown): boolean {
  return (
    error instanceof ApiUnreachableError ||
    (error instanceof ApiError && (error.status >= 500 || error.status === 429))
  );
}

/** An AbortSignal aborted by the first SIGINT or SIGTERM; `release` removes the handlers. */
export function interruption(): { readonly signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/**
 * Calls `look` now and then every `intervalMs` until `signal` aborts. A look in flight when it does is
 * not waited for (its answer would be printed after the user asked to stop).
 */
export async function watch(
  intervalMs: number,
  look: (first: boolean) => Promise<void>,
  signal: AbortSignal,
  warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`),
): Promise<void> {
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  let first = true;
  while (!signal.aborted) {
    try {
      await Promise.race([look(first), stopped]);
    } catch (error) {
      if (first || !isPassing(error)) throw error;
      warn(`${(error as Error).message}; trying again in ${intervalMs / 1000} s`);
    }
    first = false;
    if (signal.aborted) return;
    await delay(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
