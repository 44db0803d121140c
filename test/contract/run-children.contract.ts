/**
 * The RunLedger's fan-out contract: listing a parent's children (its slot prefix, its id, paged) and
 * counting a child on its parent once. Runs against the DynamoDB adapter on dynalite and DynamoDB Local
 * and against the in-memory ledger, like the rest of the RunLedger contract.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/jobs/model.ts';
import { zeroCounts } from '../../shared/runs/fan-out-spec.ts';
import { newRunId } from '../../shared/runs/run-id.ts';
import { ManualClock } from '../support/manual-clock.ts';
import type { RunLedgerSubject } from './run-ledger.contract.ts';
import { expectValidation } from './support.ts';

const START = '2026-03-01T12:00:00.000Z';
const SLOT = '2026-03-01T09:00:00.000Z';

function parentRun(overrides: Partial<Run> = {}): Run {
  return {
    runId: newRunId(new Date(SLOT)),
    job: 'fan',
    slot: SLOT,
    trigger: 'schedule',
    status: 'waiting',
    scheduledFor: SLOT,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: Date.parse(START) / 1000 + 86_400,
    children: zeroCounts(3),
    countedChildren: {},
    ...overrides,
  };
}

function child(parent: Run, key: string, index: number, overrides: Partial<Run> = {}): Run {
  return {
    ...parentRun(),
    runId: newRunId(new Date(Date.parse(SLOT) + index + 1)),
    slot: `${parent.slot}#${key}`,
    trigger: 'fan-out',
    status: 'pending',
    parentRunId: parent.runId,
    context: { key },
    childIndex: index,
    children: undefined,
    countedChildren: undefined,
    ...overrides,
  };
}

export function runChildrenContract(subject: RunLedgerSubject): void {
  async function given(...runs: Run[]) {
    const ledger = await subject.open(new ManualClock(START));
    for (const run of runs) expect(await ledger.claim(run)).toEqual({ claimed: true });
    return ledger;
  }

  describe('listChildren', () => {
    it('Given a parent with three children and a manual run sharing its slot prefix, When listed in pages of 2, Then only the children come, by slot', async () => {
      const parent = parentRun();
      const kids = ['a', 'b', 'c'].map((key, index) => child(parent, key, index));
      const stranger = child(parent, newRunId(new Date(SLOT)), 9, {
        parentRunId: undefined,
        trigger: 'manual',
      });
      const ledger = await given(parent, ...kids, stranger);
      const first = await ledger.listChildren({ parent, limit: 2 });
      expect(first.items.map((run) => run.context?.key)).toEqual(['a', 'b']);
      expect(first.nextCursor).toBeDefined();
      const second = await ledger.listChildren({ parent, limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((run) => run.context?.key)).toEqual(['c']);
      expect(second.nextCursor).toBeUndefined();
    });

    it("Given a cursor of another parent's children, When it is used, Then it is refused as a ValidationError", async () => {
      const parent = parentRun();
      const other = parentRun({
        slot: '2026-03-01T10:00:00.000Z',
        runId: newRunId(new Date('2026-03-01T10:00:00.000Z')),
      });
      const ledger = await given(parent, other, child(other, 'x', 0), child(other, 'y', 1));
      const page = await ledger.listChildren({ parent: other, limit: 1 });
      await expectValidation(
        ledger.listChildren({ parent, limit: 1, cursor: page.nextCursor ?? '' }),
        'cursor',
      );
    });
  });

  describe('countChild', () => {
    it('Given a waiting parent, When a child is counted twice, Then it counts once and the parent reads the count', async () => {
      const parent = parentRun();
      const ledger = await given(parent);
      const now = new Date(START);
      const counted = await ledger.countChild(parent, 0, 'succeeded', now);
      expect(counted?.children).toEqual({ ...zeroCounts(3), succeeded: 1 });
      expect(counted?.lastChildAt).toBe(START);
      expect(await ledger.countChild(parent, 0, 'succeeded', now)).toBeUndefined();
      const second = await ledger.countChild(parent, 1, 'failed', now);
      expect(second?.children).toEqual({ ...zeroCounts(3), succeeded: 1, failed: 1 });
    });

    it('Given a parent that has ended, or one that never counted, When a child is counted, Then nothing is counted', async () => {
      const ended = parentRun({ status: 'succeeded' });
      const uncounted = parentRun({
        slot: '2026-03-01T10:00:00.000Z',
        children: undefined,
        countedChildren: undefined,
        status: 'running',
      });
      const ledger = await given(ended, uncounted);
      expect(await ledger.countChild(ended, 0, 'succeeded', new Date(START))).toBeUndefined();
      expect(await ledger.countChild(uncounted, 0, 'succeeded', new Date(START))).toBeUndefined();
      expect((await ledger.get(ended.job, ended.slot))?.children).toEqual(zeroCounts(3));
    });
  });
}
