/**
 * The sweeper's minute, as the AWS function and the local timer both run it: one sweep of the index of
 * next expected slots (shared/health/sweep.ts), then the alerts owed (failed sends tried again,
 * reminders: shared/alerts/alerts.ts `sendDueAlerts`), then the jobs found late as a metric (missed
 * slots are counted where their runs are recorded: shared/metrics-ledger.ts). A failed alert pass does
 * not undo the sweep: it is logged, and the next minute tries again.
 */
import { type AlertsDeps, type DueAlertsSummary, sendDueAlerts } from '../alerts/alerts.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type SweepDeps, type SweepReport, sweep } from './sweep.ts';

export interface SweeperTickDeps {
  readonly sweep: SweepDeps;
  readonly alerts: AlertsDeps;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export interface SweeperTickReport extends SweepReport {
  /** Undefined when the alert pass failed (logged). */
  readonly alerts?: DueAlertsSummary;
}

export async function sweeperTick(deps: SweeperTickDeps): Promise<SweeperTickReport> {
  const report = await sweep(deps.sweep);
  if (report.late > 0) deps.metrics.jobsLate(report.late);
  try {
    return { ...report, alerts: await sendDueAlerts(deps.alerts) };
  } catch (error) {
    deps.log.error('due alerts not sent', { error: error instanceof Error ? error.message : String(error) });
    return report;
  }
}
