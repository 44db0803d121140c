/**
 * The sweeper's minute, as the AWS function and the local timer both run it: the one-time fill of the
 * due index for jobs stored before it (shared/health/fill.ts; a read of one item once it is done), one
 * sweep of the index of next expected slots (shared/health/sweep.ts), then the alerts owed (failed sends tried again,
 * reminders: shared/alerts/alerts.ts `sendDueAlerts`), then the jobs found late as a metric (missed
 * slots are counted where their runs are recorded: shared/metrics-ledger.ts). A failed alert pass does
 * not undo the sweep: it is logged, and the next minute tries again.
 */
import { type AlertsDeps, type DueAlertsSummary, sendDueAlerts } from '../alerts/alerts.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { DueIndexFill } from './fill.ts';
import { type SweepDeps, type SweepReport, sweep } from './sweep.ts';

export interface SweeperTickDeps {
  readonly fill: DueIndexFill;
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
  try {
    await deps.fill.ensure();
  } catch (error) {
    // The sweep of the jobs already in the index goes on; the next tick tries the fill again.
    deps.log.error('due index not filled', { error: error instanceof Error ? error.message : String(error) });
  }
  const report = await sweep(deps.sweep);
  if (report.late > 0) deps.metrics.jobsLate(report.late);
  try {
    return { ...report, alerts: await sendDueAlerts(deps.alerts) };
  } catch (error) {
    deps.log.error('due alerts not sent', { error: error instanceof Error ? error.message : String(error) });
    return report;
  }
}
