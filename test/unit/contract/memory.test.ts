/**
 * The port contracts on the in-memory implementations: the same suites the DynamoDB and Scheduler
 * adapters pass (test/integration/contract/), so the fast ports the use-case tests use say only what
 * the real ones would.
 */
import { describe } from 'vitest';
import {
  MemoryBudgets,
  MemoryCheckpointStore,
  MemoryJobStore,
  MemoryRunLedger,
  MemorySchedulePort,
} from '../../../shared/adapters/memory/index.ts';
import { type Clock, systemClock } from '../../../shared/clock.ts';
import { budgetsContract } from '../../contract/budgets.contract.ts';
import { checkpointStoreContract } from '../../contract/checkpoint-store.contract.ts';
import { jobRunMarksContract } from '../../contract/job-run-marks.contract.ts';
import { jobStoreContract } from '../../contract/job-store.contract.ts';
import { runChildrenContract } from '../../contract/run-children.contract.ts';
import { runLedgerContract } from '../../contract/run-ledger.contract.ts';
import { schedulePortContract } from '../../contract/schedule-port.contract.ts';

describe('MemoryJobStore', () => {
  let last: MemoryJobStore | undefined;
  const subject = {
    open: async (clock: Clock) => {
      last = new MemoryJobStore(clock);
      return last;
    },
    writeItem: async (item: Record<string, unknown>) => last?.writeItem(item),
  };
  jobStoreContract(subject);
  jobRunMarksContract(subject);
});

describe('MemoryRunLedger', () => {
  runLedgerContract({ open: async (clock) => new MemoryRunLedger(clock) });
  runChildrenContract({ open: async (clock) => new MemoryRunLedger(clock) });
});

describe('MemorySchedulePort', () => {
  // The wall clock, as the emulator's StartDate rule uses it.
  schedulePortContract({ open: async () => new MemorySchedulePort(systemClock) });
});

describe('MemoryCheckpointStore', () => {
  checkpointStoreContract({ open: async () => new MemoryCheckpointStore() });
});

describe('MemoryBudgets', () => {
  budgetsContract({ open: async () => new MemoryBudgets() });
});
