/**
 * The Budgets contract: counters that only a reservation within its limits can raise, atomically (two
 * runs never both take the last of a budget), that a settle can lower, one per job and period. Run
 * against the in-memory counters (test/unit/contract/) and the DynamoDB ones (test/integration/contract/).
 */
import { describe, expect, it } from 'vitest';
import type { BudgetCounter, Budgets } from '../../shared/kinds/capabilities.ts';

export interface BudgetsSubject {
  open(): Promise<Budgets>;
}

const day: BudgetCounter = { job: 'weekly-calibration', period: { day: '2026-03-02' } };
const run: BudgetCounter = { job: 'weekly-calibration', period: { slot: '2026-03-02T09:00:00.000Z' } };

export function budgetsContract(subject: BudgetsSubject): void {
  describe('Budgets contract', () => {
    it('Given a counter never written, Then it reads zero', async () => {
      const budgets = await subject.open();
      expect(await budgets.read(day)).toEqual({ microUsd: 0, tokens: 0 });
    });

    it('Given reservations within the limits, Then each is added', async () => {
      const budgets = await subject.open();
      const limits = { microUsd: 1_000, tokens: 100 };
      expect(await budgets.reserve(day, { microUsd: 400, tokens: 40 }, limits)).toEqual({ reserved: true });
      expect(await budgets.reserve(day, { microUsd: 600, tokens: 60 }, limits)).toEqual({ reserved: true });
      expect(await budgets.read(day)).toEqual({ microUsd: 1_000, tokens: 100 });
    });

    it.each([
      ['microUsd', { microUsd: 501, tokens: 1 }],
      ['tokens', { microUsd: 1, tokens: 51 }],
    ] as const)(
      'Given a reservation that would cross %s, Then it is refused and nothing is added',
      async (exceeded, amount) => {
        const budgets = await subject.open();
        const limits = { microUsd: 1_000, tokens: 100 };
        await budgets.reserve(run, { microUsd: 500, tokens: 50 }, limits);
        expect(await budgets.reserve(run, amount, limits)).toEqual({
          reserved: false,
          exceeded,
          used: { microUsd: 500, tokens: 50 },
        });
        expect(await budgets.read(run)).toEqual({ microUsd: 500, tokens: 50 });
      },
    );

    it('Given an amount larger than a limit on its own, Then even a fresh counter refuses it', async () => {
      const budgets = await subject.open();
      expect(await budgets.reserve(day, { microUsd: 0, tokens: 101 }, { tokens: 100 })).toEqual({
        reserved: false,
        exceeded: 'tokens',
        used: { microUsd: 0, tokens: 0 },
      });
    });

    it('Given a limit that is not set, Then that amount is not limited', async () => {
      const budgets = await subject.open();
      expect(await budgets.reserve(day, { microUsd: 10 ** 9, tokens: 1 }, { tokens: 100 })).toEqual({
        reserved: true,
      });
    });

    it('Given a settle that gives back, Then the counter is lowered and later reservations fit again', async () => {
      const budgets = await subject.open();
      const limits = { tokens: 100 };
      await budgets.reserve(run, { microUsd: 0, tokens: 90 }, limits);
      await budgets.add(run, { microUsd: 0, tokens: -80 });
      expect(await budgets.read(run)).toEqual({ microUsd: 0, tokens: 10 });
      expect(await budgets.reserve(run, { microUsd: 0, tokens: 90 }, limits)).toEqual({ reserved: true });
    });

    it('Given counters of other periods and jobs, Then each counts on its own', async () => {
      const budgets = await subject.open();
      await budgets.add(day, { microUsd: 1, tokens: 1 });
      await budgets.add({ ...day, period: { day: '2026-03-03' } }, { microUsd: 2, tokens: 2 });
      await budgets.add({ ...day, job: 'other' }, { microUsd: 3, tokens: 3 });
      await budgets.add(run, { microUsd: 4, tokens: 4 });
      expect(await budgets.read(day)).toEqual({ microUsd: 1, tokens: 1 });
      expect(await budgets.read(run)).toEqual({ microUsd: 4, tokens: 4 });
    });

    it('Given twenty concurrent reservations, Then exactly those within the limit are taken', async () => {
      const budgets = await subject.open();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => budgets.reserve(day, { microUsd: 10, tokens: 1 }, { microUsd: 55 })),
      );
      expect(outcomes.filter((outcome) => outcome.reserved)).toHaveLength(5);
      expect(await budgets.read(day)).toEqual({ microUsd: 50, tokens: 5 });
    });
  });
}
