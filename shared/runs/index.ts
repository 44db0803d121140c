/** The run lifecycle and the helpers the API uses for manual runs and cancellation. */
export { type CancelDeps, cancelRun } from './cancel.ts';
export {
  type CancellationToken,
  DEFAULT_CANCEL_CHECK_INTERVAL_MS,
  RunCancelledError,
} from './cancellation.ts';
export { manualSlot, normalizeInstant, parseJobEvent, scheduleTargetInput } from './event.ts';
export {
  executeRun,
  type RunContext,
  type RunDeps,
  type RunOutcome,
  type RunWork,
} from './lifecycle.ts';
export { type ManualRunOptions, newManualRun, retentionExpiresAt } from './manual.ts';
export { isRunId, newRunId, RUN_ID_PATTERN, runIdTime } from './run-id.ts';
