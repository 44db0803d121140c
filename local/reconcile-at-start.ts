/**
 * At start the local stack repairs drift between jobs and their schedules, as `tickwork reconcile`
 * would: a job written by a request that was killed before its schedule was created (the process
 * died mid-request) fires again without anyone having to notice. It runs the use case through the
 * API function itself, with the event `POST /reconcile` gives it, so there is one code path for the
 * repair (shared/jobs/reconcile.ts) and the function's own configuration applies.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ReconcileReport } from '../shared/jobs/reconcile.ts';
import type { Logger } from '../shared/logger.ts';
import { toHttpApiEvent } from './api-front/event.ts';

export interface ReconcileAtStartOptions {
  /** Invokes the API function synchronously with the event and resolves with its response. */
  readonly invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  /** Component `local`. */
  readonly log: Logger;
  readonly now: Date;
  readonly accountId: string;
}

/**
 * Reconciles and logs one line per repair (and per repair that failed); resolves with the report, or
 * undefined when the reconcile itself failed (logged; the stack starts anyway: a later
 * `tickwork reconcile` can still repair).
 */
export async function reconcileAtStart(
  options: ReconcileAtStartOptions,
): Promise<ReconcileReport | undefined> {
  const { log } = options;
  const event = toHttpApiEvent({
    method: 'POST',
    url: '/reconcile',
    httpVersion: '1.1',
    headers: { host: ['localhost'] },
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    requestId: `reconcile-at-start-${options.now.getTime()}`,
    time: options.now,
    accountId: options.accountId,
    apiId: 'local',
    fallbackDomainName: 'localhost',
  });
  let report: ReconcileReport;
  try {
    report = parseAnswer(await options.invoke(event));
  } catch (error) {
    log.error('reconcile at start failed; run `tickwork reconcile` once the stack is up', {
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
  const missing = new Set(report.missing);
  const stray = new Set(report.stray);
  const legacy = new Set(report.legacy);
  for (const name of report.repaired) {
    const repair = legacy.has(name)
      ? missing.has(name)
        ? 'moved its schedule from the old single group to its kind group'
        : 'deleted its schedule in the old single group'
      : missing.has(name)
        ? 'created its missing schedule'
        : stray.has(name)
          ? 'deleted a schedule no job wants'
          : 'put back the schedule the job describes';
    log.info('reconcile repaired', { job: name, repair });
  }
  for (const failed of report.errors) {
    log.warn('reconcile could not repair', { job: failed.name, error: failed.message });
  }
  log[report.repaired.length + report.errors.length > 0 ? 'info' : 'debug']('reconciled at start', {
    jobs: report.jobs,
    schedules: report.schedules,
    repaired: report.repaired.length,
    failed: report.errors.length,
  });
  return report;
}

/** The API function's answer: a 200 with the report, or what it said instead. */
function parseAnswer(answer: unknown): ReconcileReport {
  const response = answer as { statusCode?: unknown; body?: unknown } | null;
  const body = typeof response?.body === 'string' ? response.body : '';
  if (response?.statusCode !== 200) {
    throw new Error(`POST /reconcile answered ${String(response?.statusCode)}: ${body.slice(0, 500)}`);
  }
  return JSON.parse(body) as ReconcileReport;
}
