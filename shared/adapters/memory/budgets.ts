/**
 * Budget counters in memory, for fast tests of the calibration's budget logic. They pass the same
 * contract suite as the DynamoDB counters (test/contract/budgets.contract.ts). Synchronous inside each
 * call, so a reservation's check-and-add is atomic, as the conditional UpdateItem is.
 */

import type {
  BudgetAmount,
  BudgetCounter,
  BudgetLimits,
  BudgetReservation,
  Budgets,
} from '../../kinds/capabilities.ts';
import { budgetKey, crossedLimit } from '../dynamodb/budgets.ts';

export class MemoryBudgets implements Budgets {
  readonly #counters = new Map<string, BudgetAmount>();

  async reserve(
    counter: BudgetCounter,
    amount: BudgetAmount,
    limits: BudgetLimits,
  ): Promise<BudgetReservation> {
    const used = this.#get(counter);
    const exceeded = crossedLimit(used, amount, limits);
    if (exceeded !== undefined) return { reserved: false, exceeded, used };
    this.#add(counter, amount);
    return { reserved: true };
  }

  async add(counter: BudgetCounter, delta: BudgetAmount): Promise<void> {
    this.#add(counter, delta);
  }

  async read(counter: BudgetCounter): Promise<BudgetAmount> {
    return this.#get(counter);
  }

  #get(counter: BudgetCounter): BudgetAmount {
    return this.#counters.get(budgetKey(counter).name) ?? { microUsd: 0, tokens: 0 };
  }

  #add(counter: BudgetCounter, delta: BudgetAmount): void {
    const used = this.#get(counter);
    this.#counters.set(budgetKey(counter).name, {
      microUsd: used.microUsd + delta.microUsd,
      tokens: used.tokens + delta.tokens,
    });
  }
}
