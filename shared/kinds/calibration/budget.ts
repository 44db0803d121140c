/**
 * The calibration's budgets over the `budgets` capability: before each model call the call's worst
 * case (prompt bytes + the answer's max tokens, at the config's prices) is reserved on the run's counter
 * and the day's, each a conditional atomic add; after the call it is settled to the real usage. A
 * refusal throws BudgetExceededError naming the budget field, which stops the run.
 */
import type { Clock } from '../../clock.ts';
import type { BudgetAmount, BudgetCounter, BudgetLimits, Budgets, TokenUsage } from '../capabilities.ts';
import type { BudgetField, CalibrationConfig } from './config.ts';
import { BudgetExceededError } from './errors.ts';

export interface Reservation {
  readonly counters: readonly BudgetCounter[];
  readonly amount: BudgetAmount;
}

/** What the answering loop needs of a budget (one per run). */
export interface CallBudget {
  /** Reserves a call's worst case; BudgetExceededError when a budget would be crossed. */
  reserve(worstCase: TokenUsage): Promise<Reservation>;
  /** Replaces the reservation by what the call used (zero for a call that was refused). */
  settle(reservation: Reservation, used: TokenUsage): Promise<void>;
}

export interface BudgetUse {
  readonly limit: number;
  readonly used: number;
  readonly left: number;
}

type Pricing = NonNullable<CalibrationConfig['pricing']>;
type BudgetConfig = NonNullable<CalibrationConfig['budget']>;

/** What `usage` costs at `pricing`, in USD, rounded to millionths. */
export function costUsd(usage: TokenUsage, pricing: Pricing | undefined): number {
  return microUsdOf(usage, pricing) / 1e6;
}

function microUsdOf(usage: TokenUsage, pricing: Pricing | undefined): number {
  if (pricing === undefined) return 0;
  // Prices are per million tokens, so tokens × price is already in millionths of a dollar.
  return Math.ceil(
    usage.inputTokens * pricing.inputPerMillionTokens + usage.outputTokens * pricing.outputPerMillionTokens,
  );
}

interface Scope {
  readonly counter: () => BudgetCounter;
  readonly usd: BudgetField;
  readonly tokens: BudgetField;
  readonly what: string;
}

export class BudgetGuard implements CallBudget {
  private readonly scopes: Scope[] = [];

  constructor(
    private readonly budgets: Budgets,
    private readonly budget: BudgetConfig,
    private readonly pricing: Pricing | undefined,
    private readonly clock: Clock,
    job: string,
    slot: string,
  ) {
    const run: Scope = {
      counter: () => ({ job, period: { slot } }),
      usd: 'perRunUsd',
      tokens: 'perRunTokens',
      what: "the run's",
    };
    const day: Scope = {
      // The UTC day the call starts in: counters roll over at midnight UTC.
      counter: () => ({ job, period: { day: this.clock.now().toISOString().slice(0, 10) } }),
      usd: 'perDayUsd',
      tokens: 'perDayTokens',
      what: "the day's",
    };
    for (const scope of [run, day]) {
      if (budget[scope.usd] !== undefined || budget[scope.tokens] !== undefined) this.scopes.push(scope);
    }
  }

  async reserve(worstCase: TokenUsage): Promise<Reservation> {
    const amount = {
      microUsd: microUsdOf(worstCase, this.pricing),
      tokens: worstCase.inputTokens + worstCase.outputTokens,
    };
    const taken: BudgetCounter[] = [];
    for (const scope of this.scopes) {
      const counter = scope.counter();
      const limits = this.limitsOf(scope);
      const outcome = await this.budgets.reserve(counter, amount, limits);
      if (!outcome.reserved) {
        // Give back what the other counter took for this call: it will not be made.
        for (const other of taken) await this.budgets.add(other, negate(amount));
        const field = outcome.exceeded === 'microUsd' ? scope.usd : scope.tokens;
        throw new BudgetExceededError(field, this.describe(scope, field, outcome.used, amount));
      }
      taken.push(counter);
    }
    return { counters: taken, amount };
  }

  async settle(reservation: Reservation, used: TokenUsage): Promise<void> {
    const actual = { microUsd: microUsdOf(used, this.pricing), tokens: used.inputTokens + used.outputTokens };
    const delta = {
      microUsd: actual.microUsd - reservation.amount.microUsd,
      tokens: actual.tokens - reservation.amount.tokens,
    };
    if (delta.microUsd === 0 && delta.tokens === 0) return;
    for (const counter of reservation.counters) await this.budgets.add(counter, delta);
  }

  /** Each budget the config sets: its limit, what is used and what is left (USD or tokens). */
  async report(): Promise<Partial<Record<BudgetField, BudgetUse>>> {
    const report: Partial<Record<BudgetField, BudgetUse>> = {};
    for (const scope of this.scopes) {
      const used = await this.budgets.read(scope.counter());
      const usdLimit = this.budget[scope.usd];
      const tokenLimit = this.budget[scope.tokens];
      if (usdLimit !== undefined) report[scope.usd] = use(usdLimit, used.microUsd / 1e6);
      if (tokenLimit !== undefined) report[scope.tokens] = use(tokenLimit, used.tokens);
    }
    return report;
  }

  private limitsOf(scope: Scope): BudgetLimits {
    const usd = this.budget[scope.usd];
    const tokens = this.budget[scope.tokens];
    return {
      ...(usd === undefined ? {} : { microUsd: Math.floor(usd * 1e6) }),
      ...(tokens === undefined ? {} : { tokens }),
    };
  }

  private describe(scope: Scope, field: BudgetField, used: BudgetAmount, amount: BudgetAmount): string {
    const limit = this.budget[field];
    const [usedText, callText] = field.endsWith('Usd')
      ? [`${used.microUsd / 1e6} USD`, `${amount.microUsd / 1e6} USD`]
      : [`${used.tokens} tokens`, `${amount.tokens} tokens`];
    return `${scope.what} budget ${field} (${limit}) would be crossed by the next model call: ${usedText} used, the call may take up to ${callText}; the run stopped taking prompts and submitted what it had answered`;
  }
}

function use(limit: number, used: number): BudgetUse {
  return { limit, used, left: Math.max(0, Math.round((limit - used) * 1e6) / 1e6) };
}

function negate(amount: BudgetAmount): BudgetAmount {
  return { microUsd: -amount.microUsd, tokens: -amount.tokens };
}
