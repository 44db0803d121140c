/**
 * The JobStore, CheckpointStore and RunLedger contracts on the DynamoDB adapters, on both engines Tickwork promises
 * (dynalite and DynamoDB Local). Each test gets a table of its own, so listings see only its items.
 * Engine-specific checks (cursor encoding, no stub items) stay in test/integration/ledger/store.test.ts.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe } from 'vitest';
import { DynamoBudgets } from '../../../shared/adapters/dynamodb/budgets.ts';
import { DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import { type Clock, systemClock } from '../../../shared/clock.ts';
import { budgetsContract } from '../../contract/budgets.contract.ts';
import { checkpointStoreContract } from '../../contract/checkpoint-store.contract.ts';
import { jobRunMarksContract } from '../../contract/job-run-marks.contract.ts';
import { jobStoreContract } from '../../contract/job-store.contract.ts';
import { runChildrenContract } from '../../contract/run-children.contract.ts';
import { runLedgerContract } from '../../contract/run-ledger.contract.ts';
import { engineKinds, freshTable, useEngine } from '../ledger/support.ts';

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  describe('DynamoJobStore', () => {
    let table = '';
    const subject = {
      open: async (clock: Clock) => {
        table = await freshTable(engine(), 'jobs');
        return new DynamoJobStore(engine().doc, table, clock);
      },
      // A raw PutItem: the item as an earlier version of the adapter wrote it.
      writeItem: async (item: Record<string, unknown>) => {
        await engine().doc.send(new PutCommand({ TableName: table, Item: item }));
      },
    };
    jobStoreContract(subject);
    jobRunMarksContract(subject);
  });

  describe('DynamoCheckpointStore', () => {
    checkpointStoreContract({
      open: async () => new DynamoCheckpointStore(engine().doc, await freshTable(engine(), 'jobs')),
    });
  });

  describe('DynamoRunLedger', () => {
    runLedgerContract({
      open: async (clock) => new DynamoRunLedger(engine().doc, await freshTable(engine(), 'runs'), clock),
    });
  });

  describe('DynamoRunLedger children', () => {
    runChildrenContract({
      open: async (clock) => new DynamoRunLedger(engine().doc, await freshTable(engine(), 'runs'), clock),
    });
  });

  describe('DynamoBudgets', () => {
    budgetsContract({
      open: async () => new DynamoBudgets(engine().doc, await freshTable(engine(), 'jobs'), systemClock),
    });
  });
});
