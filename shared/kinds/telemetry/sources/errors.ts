/**
 * Why an AWS telemetry source could not read a window. No HTTP codes: they fail the run, and the run's
 * history records the name (a literal, so it survives minification) and the message.
 */

/** The read named a table the source's config does not define. */
export class UnknownTableError extends Error {
  constructor(table: string, known: readonly string[]) {
    super(`table ${JSON.stringify(table)} is not one of this source's tables (${known.join(', ')})`);
    this.name = 'UnknownTableError';
  }
}

/** CloudWatch answered GetMetricData with a failed query (`InternalError`, `Forbidden`). */
export class MetricDataError extends Error {
  constructor(metric: string, status: string, messages: readonly string[]) {
    super(
      `GetMetricData could not read ${metric}: status ${status}` +
        (messages.length === 0 ? '' : ` (${messages.join('; ')})`),
    );
    this.name = 'MetricDataError';
  }
}

/** A Logs Insights query ended in a status other than Complete, or could not be started. */
export class LogsQueryFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogsQueryFailedError';
  }
}

/** A Logs Insights query was still running when the run had to stop waiting for it. */
export class LogsQueryTimeoutError extends Error {
  constructor(queryId: string, remainingMs: number) {
    super(
      `Logs Insights query ${queryId} had not completed with ${remainingMs} ms of the run left; it was stopped, ` +
        'and the same window is read again by the next attempt',
    );
    this.name = 'LogsQueryTimeoutError';
  }
}

/**
 * A part of the window still hit the result cap after it was split as far as the source splits: rows
 * would be lost, so the read fails instead of exporting part of the window.
 */
export class LogsResultCapError extends Error {
  constructor(from: Date, to: Date, cap: number) {
    super(
      `Logs Insights returned its cap of ${cap} rows for [${from.toISOString()}, ${to.toISOString()}) even after ` +
        'splitting the window; narrow the query (filter, stats) or shorten the window',
    );
    this.name = 'LogsResultCapError';
  }
}
