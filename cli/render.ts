/**
 * Readable views of the API's answers (jobs, runs, status, reconcile). The API owns the shapes;
 * these read them defensively (a missing field renders as `-`), so a newer API with more fields
 * still prints.
 */
import { isRecord } from './api-client.ts';
import { duration, instant, keyValues, oneLine, table, text, yesNo } from './output.ts';
import { layoutFor, PLAIN, type TableStyle } from './terminal.ts';

type Data = Record<string, unknown>;

/** One column of a listing: its header, its cell, whether it is free text (cut to fit), a status, or `wide` only. */
interface ColumnSpec {
  readonly header: string;
  readonly cell: (item: Data) => string | undefined;
  readonly flexible?: boolean;
  readonly status?: boolean;
  readonly wide?: boolean;
}

function indexesOf(columns: readonly ColumnSpec[], which: (column: ColumnSpec) => boolean): number[] {
  return columns.flatMap((column, index) => (which(column) ? [index] : []));
}

/** `items` under `columns` (the wide ones only in a wide table), laid out for the style's terminal. */
function listing(items: readonly Data[], columns: readonly ColumnSpec[], style: TableStyle): string {
  const shown = columns.filter((column) => style.wide || column.wide !== true);
  const layout = layoutFor(style, {
    flexible: indexesOf(shown, (column) => column.flexible === true),
    status: indexesOf(shown, (column) => column.status === true),
  });
  return table(
    shown.map((column) => column.header),
    items.map((item) => shown.map((column) => column.cell(item))),
    layout,
  );
}

function record(value: unknown): Data {
  return isRecord(value) ? value : {};
}

function list(value: unknown): Data[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function scheduleOf(job: Data): Data {
  return record(job.schedule);
}

/** `cron(0 9 * * ? *) (Europe/Berlin)` from a job's normalized schedule. */
function scheduleText(job: Data): string | undefined {
  const schedule = scheduleOf(job);
  const expression = text(schedule.expression) ?? text(job.schedule);
  if (expression === undefined) return undefined;
  const zone = text(schedule.timezone);
  return zone === undefined ? expression : `${expression} (${zone})`;
}

function tagsText(value: unknown): string | undefined {
  const tags = Object.entries(record(value));
  return tags.length === 0 ? undefined : tags.map(([key, val]) => `${key}=${String(val)}`).join(', ');
}

/** A job's chained jobs: `on success: b, c; on failure: d`. */
function chainsText(value: unknown): string | undefined {
  const chains = record(value);
  const lists = [
    ['on success', chains.onSuccess],
    ['on failure', chains.onFailure],
  ] as const;
  const parts = lists
    .filter(([, names]) => Array.isArray(names) && names.length > 0)
    .map(([label, names]) => `${label}: ${(names as unknown[]).map(String).join(', ')}`);
  return parts.length === 0 ? undefined : parts.join('; ');
}

/** The run whose end started a chained run: `report run 01J… (succeeded)`. */
function upstreamText(value: unknown): string | undefined {
  const upstream = record(value);
  const job = text(upstream.job);
  const runId = text(upstream.runId);
  if (job === undefined || runId === undefined) return undefined;
  const status = text(upstream.status);
  return `${job} run ${runId}${status === undefined ? '' : ` (${status})`}`;
}

function errorText(value: unknown): string | undefined {
  const error = record(value);
  const message = text(error.message);
  if (message === undefined) return undefined;
  const type = text(error.type);
  return oneLine(type === undefined ? message : `${type}: ${message}`);
}

/**
 * A run's status; a `retrying` run (an attempt failed, Lambda will try again) also says when its
 * next attempt is expected (`nextAttemptAt`, an estimate).
 */
function statusText(run: Data): string | undefined {
  const status = text(run.status);
  const next = instant(run.nextAttemptAt);
  return status === 'retrying' && next !== undefined ? `retrying (next attempt ${next})` : status;
}

/** A job as a key/value block. */
export function jobDetails(value: unknown): string {
  const job = record(value);
  const schedule = scheduleOf(job);
  return keyValues([
    ['name', text(job.name)],
    ['kind', text(job.kind)],
    ['enabled', yesNo(job.enabled)],
    ['pause note', text(job.pauseNote)],
    ['description', text(job.description)],
    ['schedule', text(schedule.input) ?? text(job.schedule)],
    ['expression', text(schedule.expression)],
    ['timezone', text(schedule.timezone) ?? text(job.timezone)],
    ['runs', text(schedule.description)],
    ['next run', instant(job.nextRun)],
    ['one-time state', text(job.state)],
    ['overlap', text(job.overlap)],
    [
      'flexible window',
      job.flexibleWindowMinutes === undefined ? undefined : `${text(job.flexibleWindowMinutes)} min`,
    ],
    ['start', instant(job.startDate)],
    ['end', instant(job.endDate)],
    ['run immediately', job.runImmediately === true ? 'yes' : undefined],
    ['tags', tagsText(job.tags)],
    ['config', text(job.config)],
    ['then', chainsText(job.then)],
    ['created', instant(job.createdAt)],
    ['updated', instant(job.updatedAt)],
  ]);
}

const JOB_COLUMNS: readonly ColumnSpec[] = [
  { header: 'NAME', cell: (job) => text(job.name) },
  { header: 'KIND', cell: (job) => text(job.kind) },
  { header: 'ENABLED', cell: (job) => yesNo(job.enabled), status: true },
  { header: 'SCHEDULE', cell: scheduleText, flexible: true },
  { header: 'NEXT RUN', cell: (job) => instant(job.nextRun) },
  { header: 'OVERLAP', cell: (job) => text(job.overlap), wide: true },
  { header: 'TAGS', cell: (job) => tagsText(job.tags), flexible: true, wide: true },
  { header: 'UPDATED', cell: (job) => instant(job.updatedAt), wide: true },
  { header: 'PAUSE NOTE', cell: (job) => text(job.pauseNote), flexible: true, wide: true },
  { header: 'DESCRIPTION', cell: (job) => text(job.description), flexible: true },
];

export function jobsTable(jobs: unknown, style: TableStyle = PLAIN): string {
  const items = list(jobs);
  if (items.length === 0) return 'no jobs';
  return listing(items, JOB_COLUMNS, style);
}

/** A run as a key/value block. */
export function runDetails(value: unknown): string {
  const run = record(value);
  return keyValues([
    ['run', text(run.runId)],
    ['job', text(run.job)],
    ['status', text(run.status)],
    ['next attempt', run.status === 'retrying' ? nextAttemptText(run.nextAttemptAt) : undefined],
    ['trigger', text(run.trigger)],
    ['upstream', upstreamText(run.upstream)],
    ['scheduled for', instant(run.scheduledFor)],
    ['started', instant(run.startedAt)],
    ['finished', instant(run.finishedAt)],
    ['duration', duration(run.durationMs)],
    ['attempt', text(run.attempt)],
    ['duplicates suppressed', run.duplicatesSuppressed === 0 ? undefined : text(run.duplicatesSuppressed)],
    ['reason', text(run.reason)],
    ['cancel requested', run.cancelRequested === true ? 'yes' : undefined],
    ['error', errorText(run.error)],
    ['result', text(run.result)],
    ['parent run', text(run.parentRunId)],
    ['context', text(run.context)],
    ['children', childrenText(run.children, run.runId)],
  ]);
}

/** A fan-out parent's counts: `3/5 ended (2 succeeded, 1 failed)`. */
function childrenText(value: unknown, runId: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const counts = record(value);
  const ended = ['succeeded', 'failed', 'cancelled', 'skipped', 'timed_out'].filter(
    (status) => typeof counts[status] === 'number' && (counts[status] as number) > 0,
  );
  const sum = ended.reduce((total, status) => total + (counts[status] as number), 0);
  const parts = ended.map((status) => `${String(counts[status])} ${status}`).join(', ');
  return `${sum}/${String(counts.total)} ended${parts === '' ? '' : ` (${parts})`}; list them: tickwork runs ${String(runId)} --children`;
}

function nextAttemptText(value: unknown): string | undefined {
  const at = instant(value);
  return at === undefined ? undefined : `${at} (estimate)`;
}

const RUN_COLUMNS: readonly ColumnSpec[] = [
  { header: 'RUN', cell: (run) => text(run.runId) },
  { header: 'JOB', cell: (run) => text(run.job) },
  { header: 'STATUS', cell: statusText, status: true },
  { header: 'TRIGGER', cell: (run) => text(run.trigger) },
  { header: 'SCHEDULED FOR', cell: (run) => instant(run.scheduledFor) },
  { header: 'STARTED', cell: (run) => instant(run.startedAt), wide: true },
  { header: 'FINISHED', cell: (run) => instant(run.finishedAt), wide: true },
  { header: 'DURATION', cell: (run) => duration(run.durationMs) },
  { header: 'ATTEMPT', cell: (run) => text(run.attempt), wide: true },
  { header: 'FROM', cell: (run) => text(run.parentRunId) ?? upstreamText(run.upstream), wide: true },
  { header: 'ERROR', cell: (run) => errorText(run.error) ?? text(run.reason), flexible: true },
];

export function runsTable(runs: unknown, style: TableStyle = PLAIN): string {
  const items = list(runs);
  if (items.length === 0) return 'no runs';
  return listing(items, RUN_COLUMNS, style);
}

function lastRunText(job: Data): string | undefined {
  const last = record(job.lastRun);
  if (text(last.status) === undefined) return undefined;
  if (last.status === 'retrying') return statusText(last);
  return `${text(last.status)} ${instant(last.finishedAt) ?? instant(last.startedAt) ?? ''}`;
}

/** The columns of `status`; the pause note shows when a job of the page has one (always when wide). */
function statusColumns(notes: boolean): ColumnSpec[] {
  return [
    { header: 'NAME', cell: (job) => text(job.name) },
    { header: 'KIND', cell: (job) => text(job.kind) },
    { header: 'HEALTH', cell: (job) => text(job.health), status: true },
    { header: 'NOW', cell: (job) => (job.isExecuting === true ? 'running' : undefined), status: true },
    { header: 'SCHEDULE', cell: scheduleText, flexible: true },
    { header: 'NEXT RUN', cell: (job) => instant(job.nextRun) },
    { header: 'LAST RUN', cell: lastRunText, status: true },
    { header: 'LAST RUN ID', cell: (job) => text(record(job.lastRun).runId), wide: true },
    { header: 'LAST ERROR', cell: (job) => errorText(record(job.lastRun).error), flexible: true, wide: true },
    { header: 'PAUSE NOTE', cell: (job) => text(job.pauseNote), flexible: true, wide: !notes },
  ];
}

/** `GET /status`: one row per job, then the totals. */
export function statusView(value: unknown, style: TableStyle = PLAIN): string {
  const status = record(value);
  const jobs = list(status.jobs);
  const notes = jobs.some((job) => text(job.pauseNote) !== undefined);
  const lines = [jobs.length === 0 ? 'no jobs' : listing(jobs, statusColumns(notes), style)];
  const totals = Object.entries(record(status.totals));
  if (totals.length > 0)
    lines.push('', `totals: ${totals.map(([key, count]) => `${key} ${text(count)}`).join(', ')}`);
  const generated = instant(status.generatedAt);
  if (generated !== undefined) lines.push(`as of ${generated}`);
  return lines.join('\n');
}

/**
 * `POST /reconcile`: every list in the answer (missing, stray, differing, repaired …) as a section,
 * each entry on a line; scalar fields as a header.
 */
export function reconcileView(value: unknown): string {
  const answer = record(value);
  const lines: string[] = [];
  const sections: string[] = [];
  for (const [key, field] of Object.entries(answer)) {
    if (Array.isArray(field)) {
      sections.push(
        field.length === 0
          ? `${key}: none`
          : [`${key}: ${field.length}`, ...field.map((entry) => `  ${entryText(entry)}`)].join('\n'),
      );
    } else if (!isRecord(field)) {
      lines.push(`${key}: ${text(field) ?? '-'}`);
    }
  }
  return [...lines, ...sections].join('\n');
}

/** `name` alone, or `name: detail; detail` (e.g. `nightly: expression, timezone` for a differing schedule). */
function entryText(entry: unknown): string {
  if (!isRecord(entry)) return text(entry) ?? '-';
  const name = text(entry.name) ?? text(entry.job);
  const details = Object.entries(entry)
    .filter(([key]) => key !== 'name' && key !== 'job')
    .map(([, field]) =>
      Array.isArray(field) ? field.map((item) => text(item) ?? '-').join(', ') : (text(field) ?? '-'),
    );
  if (name === undefined) return oneLine(details.join('; '));
  return oneLine(details.length === 0 ? name : `${name}: ${details.join('; ')}`);
}
