/**
 * The sweeper function's settings, apart from shared/functions.ts so the sweeper's bundle does not pull
 * in the kind registry (every kind's config schemas) to read its own timeout: it validates no job.
 */
import type { FunctionDefinition } from '../functions.ts';

/** The sweeper (shared/health/sweep.ts): invoked every minute by a schedule of the stack, or the local runtime's timer. */
export const sweeperFunction: FunctionDefinition = {
  id: 'sweeper',
  description: 'Tickwork sweeper: records late jobs and missed slots, starts their catch-up',
  entry: 'functions/sweeper/handler.ts',
  // A sweep handles at most SWEEP_LIMIT due entries, a few requests each; the next one comes in a minute.
  timeoutSeconds: 60,
  memorySize: 256,
};
