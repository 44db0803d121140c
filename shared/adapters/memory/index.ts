/** In-memory ports for fast use-case tests; each passes the same contract suite as its real adapter. */

export { MemoryBudgets } from './budgets.ts';
export { MemoryCheckpointStore } from './checkpoints.ts';
export { MemoryJobStore } from './job-store.ts';
export { MemoryRunLedger } from './run-ledger.ts';
export { MemorySchedulePort } from './schedule-port.ts';
