/**
 * Calibration's tokens and cost as metrics, read from what a successful run recorded (work.ts's result:
 * `usage` and `costUsd`). A run that failed spent tokens too, but records no usage: its budget counters
 * (budget.ts) hold that spend, and the metric counts what completed runs cost.
 */
import type { ResultMetrics } from '../kind.ts';

export const reportCalibrationUsage: ResultMetrics = (metrics, run, result) => {
  const usage = result.usage as { inputTokens?: unknown; outputTokens?: unknown } | undefined;
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  if (typeof input !== 'number' || typeof output !== 'number') return;
  const costUsd = typeof result.costUsd === 'number' ? result.costUsd : 0;
  metrics.calibrationUsage({ runId: run.runId, tokens: input + output, costUsd });
};
