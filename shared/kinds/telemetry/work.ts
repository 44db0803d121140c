/**
 * The `telemetry` kind's work: export the window `[watermark, slot − settleLag)` (see window.ts) of
 * every table from the source to the signed sink in chunks (export.ts), then move the watermark with a
 * conditional write. Only then: a run that fails or is stopped part-way leaves the watermark where it
 * was, and its retry exports the same window with the same idempotency keys, never a shifted one.
 *
 * A manual run with `from`/`to` exports exactly that window (a backfill) and leaves the watermark alone.
 * The sink is idempotent, so nothing here is a point of no return: a cancel stops the run between
 * chunks (the context's `checkpoint()`) and aborts the request in flight (its signal).
 */
import type { KindWork } from '../kind.ts';
import { SIGNATURE_HEADER, signPayload } from '../signature.ts';
import {
  DEFAULT_LIMIT_PER_TABLE,
  DEFAULT_MAX_CHUNK_BYTES,
  DEFAULT_SETTLE_LAG,
  DEFAULT_SINK_TIMEOUT_SECONDS,
  type TelemetryConfig,
} from './config.ts';
import type { telemetryKind } from './definition.ts';
import { parseDuration } from './duration.ts';
import { describeTarget, type ExportOutcome, exportWindow } from './export.ts';
import { schedulePeriodMs } from './period.ts';
import type { TelemetryWindow } from './source.ts';
import { telemetrySource } from './sources.ts';
import { isEmptyWindow, type PlannedWindow, planWindow } from './window.ts';

/** How long the onResult endpoint may take to answer. */
const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Another run moved the watermark while this one exported (overlap `allow`, or a run of the job
 * before it was edited): nothing is advanced; the retry starts from the watermark as it now is.
 */
export class WatermarkMovedError extends Error {
  constructor(job: string, window: TelemetryWindow) {
    super(
      `the watermark of job ${job} moved while the run exported [${window.from.toISOString()}, ${window.to.toISOString()}): another run advanced it first; the retry continues from where it now is`,
    );
    this.name = 'WatermarkMovedError';
  }
}

/** The stored watermark is not an instant (a hand-edited item): refuse rather than guess a window. */
export class WatermarkUnreadableError extends Error {
  constructor(job: string, value: string) {
    super(`the watermark of job ${job} is not an ISO-8601 instant: ${JSON.stringify(value.slice(0, 64))}`);
    this.name = 'WatermarkUnreadableError';
  }
}

export const telemetryWork: KindWork<typeof telemetryKind> = async (context) => {
  const { job, run, config, params, capabilities, clock, signal, log } = context;
  const backfill =
    params.from !== undefined && params.to !== undefined
      ? { from: new Date(params.from), to: new Date(params.to) }
      : undefined;
  const checkpoint = backfill === undefined ? await capabilities.checkpoints.read(job) : undefined;
  const planned: PlannedWindow =
    backfill !== undefined
      ? { window: backfill, truncated: false }
      : planWindow({
          slot: new Date(run.scheduledFor),
          watermark: checkpoint === undefined ? undefined : watermarkOf(job.name, checkpoint.value),
          settleLagMs: durationMs(config.window?.settleLag ?? DEFAULT_SETTLE_LAG),
          initialMs: initialMs(config, job.schedule, new Date(run.scheduledFor)),
          maxMs: config.window?.max === undefined ? undefined : durationMs(config.window.max),
        });
  const tables = params.tables ?? config.tables;
  let outcome: ExportOutcome = {
    window: planned.window,
    narrowed: false,
    rows: Object.fromEntries(tables.map((table) => [table, 0])),
    chunks: 0,
    bytes: 0,
  };
  if (!isEmptyWindow(planned.window)) {
    const { secrets, http, metrics, logs } = capabilities;
    const source = await telemetrySource(config.source, { secrets, http, metrics, logs, clock });
    const sinkSecret = await secrets.get(config.sink.signingSecret);
    outcome = await exportWindow(
      {
        job: job.name,
        model: config.model,
        tables,
        limit: params.limitPerTable ?? config.limitPerTable ?? DEFAULT_LIMIT_PER_TABLE,
        maxChunkBytes: config.sink.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES,
        source,
        signal,
        remainingTimeMs: () => context.remainingTimeMs(),
        checkpoint: () => context.checkpoint(),
      },
      {
        url: config.sink.url,
        secret: sinkSecret,
        timeoutMs: (config.sink.timeoutSeconds ?? DEFAULT_SINK_TIMEOUT_SECONDS) * 1000,
        http,
        now: () => clock.now(),
      },
      planned.window,
    );
    // Every chunk was acknowledged: now, and only now, the next run may start after this window.
    if (backfill === undefined) {
      const advanced = await capabilities.checkpoints.advance(
        job,
        checkpoint?.version,
        outcome.window.to.toISOString(),
      );
      if (!advanced) throw new WatermarkMovedError(job.name, outcome.window);
    }
  }
  const result = {
    window: { from: outcome.window.from.toISOString(), to: outcome.window.to.toISOString() },
    rows: outcome.rows,
    chunks: outcome.chunks,
    bytes: outcome.bytes,
    hasMore: planned.truncated || outcome.narrowed,
    ...(backfill === undefined ? {} : { backfill: true }),
  };
  if (config.onResult === undefined) return result;
  // After the export is done and recorded: a failed notification is reported in the result, not
  // raised, since a retry would not export anything again (its window is now empty).
  const { url, signingSecret } = config.onResult;
  try {
    const body = JSON.stringify({
      job: job.name,
      runId: run.runId,
      scheduledFor: run.scheduledFor,
      model: config.model,
      log_type: 'telemetry_result',
      ...result,
    });
    const secret = await capabilities.secrets.get(signingSecret);
    const answer = await capabilities.http.post(
      url,
      body,
      {
        'Content-Type': 'application/json',
        'Idempotency-Key': `${run.runId}:result`,
        [SIGNATURE_HEADER]: signPayload(secret, Math.floor(clock.now().getTime() / 1000), body),
      },
      { timeoutMs: NOTIFY_TIMEOUT_MS, signal },
    );
    const delivered = answer.status >= 200 && answer.status <= 299;
    if (!delivered) log.warn('onResult endpoint refused the summary', { httpStatus: answer.status });
    return { ...result, onResult: { target: describeTarget(url), delivered, httpStatus: answer.status } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn('onResult notification failed', { error: message });
    return { ...result, onResult: { target: describeTarget(url), delivered: false, error: message } };
  }
};

function durationMs(text: string): number {
  const ms = parseDuration(text);
  // The config was validated when it was stored, and again when the run parsed it.
  if (ms === undefined) throw new Error(`not an ISO-8601 duration: ${text}`);
  return ms;
}

/** `window.initial`, else one schedule period (the gap between the next two fires after the slot). */
function initialMs(
  config: TelemetryConfig,
  schedule: Parameters<typeof schedulePeriodMs>[0],
  slot: Date,
): number {
  if (config.window?.initial !== undefined) return durationMs(config.window.initial);
  const period = schedulePeriodMs(schedule, slot);
  if (period === undefined) {
    throw new Error(
      'config.window.initial is required: the schedule has no period to default the first window to',
    );
  }
  return period;
}

function watermarkOf(job: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) {
    throw new WatermarkUnreadableError(job, value);
  }
  return date;
}
