/**
 * Why a calibration run failed, as the run history records it (`error.type` is the class's literal name).
 * Each message names what was wrong and what the run did about it.
 */
import { FinalRunError } from '../../errors.ts';
import type { BudgetField, FlowId } from './config.ts';

/** A platform answered garbage (non-JSON, a wrong shape, too much) or not at all: the flow failed. */
export class PlatformAnswerError extends Error {
  constructor(
    readonly flow: FlowId,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`flow ${flow}: ${message}`, options);
    this.name = 'PlatformAnswerError';
  }
}

/**
 * A budget would be crossed by the next call: the run stopped; what it answered was submitted. Final: a
 * retry would meet the same budget (a day's or the run's), so the run is recorded failed, not retried.
 */
export class BudgetExceededError extends FinalRunError {
  constructor(
    readonly budget: BudgetField,
    message: string,
  ) {
    super(message);
    // The name for it: operators filter run histories by this type.
    this.name = 'BudgetExceeded';
  }
}

/** The run could not answer every prompt before its deadline; it submitted what it answered. */
export class CalibrationIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationIncompleteError';
  }
}

/** More prompts failed than `maxFailureRatio` tolerates, or every prompt of a flow failed. */
export class CalibrationFailuresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationFailuresError';
  }
}
