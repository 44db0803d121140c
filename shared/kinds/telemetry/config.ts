/**
 * The `telemetry` kind's config: the model the telemetry is about, where the rows come from (a source
 * chosen by its `type`), which tables, the window rules (ISO-8601 durations), the signed sink the rows
 * go to, and an optional endpoint told the run's summary. Secrets (the source's bearer token, the
 * signing secrets) are given by NAME. A manual run may pass a backfill window.
 */
import * as z from 'zod/mini';
import type { Problem } from '../../errors.ts';
import { maxStepSeconds } from '../../runs/deadline.ts';
import { describeValue } from '../../validation.ts';
import { httpUrlField, secondsField, secretNameField } from '../fields.ts';
import type { ConfigCheckOptions, SecretReference } from '../kind.ts';
import { DURATION_RULE, formatDuration, MAX_DURATION_MS, parseDuration } from './duration.ts';
import { longestScheduleGapMs } from './period.ts';
import { cloudWatchMetricsSourceSchema, cloudWatchMetricsTables } from './sources/cloudwatch-metrics.ts';
import { logsInsightsSourceSchema, logsInsightsTables } from './sources/logs-insights.ts';

/** Five minutes: room for many tables and chunks; a run that cannot finish leaves the rest to the next. */
export const TELEMETRY_FUNCTION_TIMEOUT_SECONDS = 300;
export const MAX_TABLES = 50;
export const DEFAULT_LIMIT_PER_TABLE = 10_000;
export const MAX_LIMIT_PER_TABLE = 100_000;
export const DEFAULT_SETTLE_LAG = 'PT2M';
export const DEFAULT_SINK_TIMEOUT_SECONDS = 30;
export const MAX_SINK_TIMEOUT_SECONDS = maxStepSeconds(TELEMETRY_FUNCTION_TIMEOUT_SECONDS);
/** 1 MiB: under API Gateway's 10 MB and Lambda's 6 MB payloads, and what most ingest endpoints take. */
export const DEFAULT_MAX_CHUNK_BYTES = 1024 * 1024;
export const MIN_MAX_CHUNK_BYTES = 1024;
/** Lambda's synchronous payload limit: a chunk larger than this is refused by many ingest paths. */
export const MAX_MAX_CHUNK_BYTES = 6 * 1024 * 1024;
const TABLE_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

const text = (max: number) =>
  z.string({ error: (issue) => `must be a string; got ${describeValue(issue.input)}` }).check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(max, {
      error: (issue) =>
        `must be at most ${max} characters; got ${String((issue.input as string | undefined)?.length)}`,
    }),
  );

/** An ISO-8601 duration (see duration.ts); `positive` refuses `PT0S`. */
function durationField(options: { readonly positive: boolean }) {
  return z
    .string({ error: (issue) => `${DURATION_RULE}; got ${describeValue(issue.input)}` })
    .check((ctx) => {
      const ms = parseDuration(ctx.value);
      const fail = (message: string): void => {
        ctx.issues.push({ code: 'custom', input: ctx.value, message });
      };
      if (ms === undefined) return fail(`${DURATION_RULE}; got ${describeValue(ctx.value)}`);
      if (options.positive && ms === 0)
        return fail(`must be longer than zero; got ${describeValue(ctx.value)}`);
      if (ms > MAX_DURATION_MS) {
        fail(`must be at most ${formatDuration(MAX_DURATION_MS)}; got ${describeValue(ctx.value)}`);
      }
    });
}

const tableName = z.lazy(() =>
  z.string({ error: (issue) => `must be a table name; got ${describeValue(issue.input)}` }).check(
    z.regex(TABLE_NAME, {
      error: (issue) =>
        `must be a table name of 1–128 of A-Z a-z 0-9 _ . : / -; got ${describeValue(issue.input)}`,
    }),
  ),
);

const tableList = z.lazy(() =>
  z
    .array(tableName, {
      error: (issue) => `must be a list of table names; got ${describeValue(issue.input)}`,
    })
    .check(
      z.minLength(1, { error: 'must name at least 1 table' }),
      z.maxLength(MAX_TABLES, {
        error: (issue) =>
          `must name at most ${MAX_TABLES} tables; got ${String((issue.input as unknown[] | undefined)?.length)}`,
      }),
      z.refine((names) => new Set(names).size === names.length, {
        error: (issue) => `must not name a table twice; got ${describeValue(issue.input)}`,
      }),
    ),
);

const limitPerTable = z.lazy(() =>
  z.int({ error: (issue) => `must be a whole number of rows; got ${describeValue(issue.input)}` }).check(
    z.minimum(1, { error: (issue) => `must be at least 1; got ${describeValue(issue.input)}` }),
    z.maximum(MAX_LIMIT_PER_TABLE, {
      error: (issue) => `must be at most ${MAX_LIMIT_PER_TABLE}; got ${describeValue(issue.input)}`,
    }),
  ),
);

/**
 * `http`: the team's own telemetry API, or a platform's. Contract: see http-source.ts. `authSecret`
 * names the secret sent as `Authorization: Bearer <value>`.
 */
const httpSource = z.lazy(() =>
  z.strictObject({
    type: z.literal('http'),
    url: httpUrlField({ signingSecretField: 'config.source.authSecret' }),
    authSecret: z.optional(secretNameField),
  }),
);

/**
 * The source types; a new one is one more strict object in this list (its `type` a literal).
 * `cloudwatch-metrics` and `logs-insights`: see their modules under sources/.
 */
const SOURCES = [httpSource, cloudWatchMetricsSourceSchema, logsInsightsSourceSchema] as const;
/** Read from the schemas only when an error names them, so none is built at import. */
const sourceTypes = () => SOURCES.map((source) => source._zod.innerType.shape.type.def.values[0]).join(', ');

const source = z.lazy(() =>
  z.discriminatedUnion('type', [...SOURCES], {
    error: (issue) => {
      const input = issue.input as { type?: unknown } | undefined;
      return typeof input === 'object' && input !== null && !Array.isArray(input)
        ? `must have a type, one of ${sourceTypes()}; got ${describeValue(input.type)}`
        : `must be an object {type, ...} whose type is one of ${sourceTypes()}; got ${describeValue(issue.input)}`;
    },
  }),
);

/** Where a signed POST goes: the URL and the NAME of the secret its signature is keyed with. */
const signedEndpoint = (field: string) => ({
  url: httpUrlField({ signingSecretField: `${field}.signingSecret` }),
  signingSecret: secretNameField,
});

const endpointError = (shape: string) => ({
  error: (issue: { readonly input?: unknown }) =>
    `must be an object ${shape}; got ${describeValue(issue.input)}`,
});

export const telemetryConfigSchema = z.lazy(() =>
  z.strictObject({
    model: z.strictObject(
      { name: text(128), version: text(64), environment: text(64), purpose: text(256) },
      {
        error: (issue) =>
          `must be an object {name, version, environment, purpose}; got ${describeValue(issue.input)}`,
      },
    ),
    source,
    tables: tableList,
    /** @default DEFAULT_LIMIT_PER_TABLE */
    limitPerTable: z.optional(limitPerTable),
    window: z.optional(
      z.strictObject(
        {
          /** @default one schedule period */
          initial: z.optional(durationField({ positive: true })),
          /** @default DEFAULT_SETTLE_LAG */
          settleLag: z.optional(durationField({ positive: false })),
          /** @default no cap */
          max: z.optional(durationField({ positive: true })),
        },
        {
          error: (issue) =>
            `must be an object {initial?, settleLag?, max?}; got ${describeValue(issue.input)}`,
        },
      ),
    ),
    sink: z.strictObject(
      {
        ...signedEndpoint('config.sink'),
        /** @default DEFAULT_SINK_TIMEOUT_SECONDS */
        timeoutSeconds: z.optional(secondsField(MAX_SINK_TIMEOUT_SECONDS)),
        /** @default DEFAULT_MAX_CHUNK_BYTES */
        maxChunkBytes: z.optional(
          z
            .int({ error: (issue) => `must be a whole number of bytes; got ${describeValue(issue.input)}` })
            .check(
              z.minimum(MIN_MAX_CHUNK_BYTES, {
                error: (issue) =>
                  `must be at least ${MIN_MAX_CHUNK_BYTES} bytes; got ${describeValue(issue.input)}`,
              }),
              z.maximum(MAX_MAX_CHUNK_BYTES, {
                error: (issue) =>
                  `must be at most ${MAX_MAX_CHUNK_BYTES} bytes; got ${describeValue(issue.input)}`,
              }),
            ),
        ),
      },
      endpointError('{url, signingSecret, timeoutSeconds?, maxChunkBytes?}'),
    ),
    onResult: z.optional(
      z.strictObject(signedEndpoint('config.onResult'), endpointError('{url, signingSecret}')),
    ),
  }),
);

export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

const instant = z.lazy(() =>
  z.string({ error: (issue) => `must be an ISO-8601 instant; got ${describeValue(issue.input)}` }).check(
    z.refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
      error: (issue) =>
        `must be an ISO-8601 instant such as 2026-03-01T00:00:00Z; got ${describeValue(issue.input)}`,
    }),
  ),
);

/**
 * A manual run's parameters. `from`/`to` (both or neither, from < to) export exactly that window, a
 * backfill that leaves the watermark where it is. `tables` (any valid names: the source knows which
 * exist, and a backfill may be for a table added since) only with a backfill window, since a watermark
 * run that skipped a table would leave a gap in it. `limitPerTable` overrides the config's for the run.
 */
export const telemetryParamsSchema = z.lazy(() =>
  z
    .strictObject({
      from: z.optional(instant),
      to: z.optional(instant),
      tables: z.optional(tableList),
      limitPerTable: z.optional(limitPerTable),
    })
    .check((ctx) => {
      const { from, to, tables } = ctx.value;
      const fail = (path: string, message: string, input: unknown): void => {
        ctx.issues.push({ code: 'custom', path: [path], input, message });
      };
      if ((from === undefined) !== (to === undefined)) {
        const missing = from === undefined ? 'from' : 'to';
        const given = missing === 'from' ? 'to' : 'from';
        return fail(missing, `must be given with ${given} (a backfill window needs both)`, undefined);
      }
      if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)) {
        fail('to', `must be after from (${from}); got ${describeValue(to)}`, to);
      }
      if (tables !== undefined && from === undefined) {
        fail(
          'tables',
          'must be given only with from and to (a backfill): a run that moves the watermark exports every table',
          tables,
        );
      }
    }),
);

export type TelemetryParams = z.infer<typeof telemetryParamsSchema>;

/**
 * The rules that need the job's schedule: a one-time schedule has no period, so `window.initial` must
 * say how far back its run reaches; and `window.max` must cover the longest gap between fires, or the
 * exports would fall further behind at every run.
 */
/**
 * The tables a source offers, when the config fixes them: a metric per table for cloudwatch-metrics, the
 * one named table of logs-insights. An http source serves whatever tables its API has.
 */
function sourceTables(source: TelemetryConfig['source']): readonly string[] | undefined {
  switch (source.type) {
    case 'cloudwatch-metrics':
      return cloudWatchMetricsTables(source);
    case 'logs-insights':
      return logsInsightsTables(source);
    case 'http':
      return undefined;
  }
}

export function checkTelemetryConfig(config: TelemetryConfig, options: ConfigCheckOptions): Problem[] {
  const problems: Problem[] = [];
  if (options.mode === 'aws') {
    for (const [field, url] of urlsOf(config)) {
      if (new URL(url).protocol !== 'https:') {
        problems.push({
          field,
          message: `${field} must be an https URL in a deployed stack; got ${describeValue(url)}`,
        });
      }
    }
  }
  const offered = sourceTables(config.source);
  if (offered !== undefined) {
    const unknown = config.tables.filter((table) => !offered.includes(table));
    if (unknown.length > 0) {
      problems.push({
        field: 'config.tables',
        message: `config.tables must name tables the ${config.source.type} source has (${offered.join(', ')}); got ${unknown.map((table) => describeValue(table)).join(', ')}`,
      });
    }
  }
  const { schedule, now } = options;
  if (schedule === undefined || now === undefined) return problems;
  const gapMs = longestScheduleGapMs(schedule, now);
  if (gapMs === undefined) {
    if (config.window?.initial === undefined) {
      problems.push({
        field: 'config.window.initial',
        message:
          'config.window.initial is required for a one-time schedule (it has no period to default to): say how far back its run exports, e.g. PT1H',
      });
    }
    return problems;
  }
  const max = config.window?.max;
  if (max !== undefined && (parseDuration(max) ?? 0) < gapMs) {
    problems.push({
      field: 'config.window.max',
      message: `config.window.max must be at least the schedule's period (${formatDuration(gapMs)}, the longest gap between fires of ${schedule.expression}), or each run would fall further behind; got ${describeValue(max)}`,
    });
  }
  return problems;
}

function urlsOf(config: TelemetryConfig): [string, string][] {
  return [
    ...('url' in config.source ? [['config.source.url', config.source.url] as [string, string]] : []),
    ['config.sink.url', config.sink.url],
    ...(config.onResult === undefined
      ? []
      : [['config.onResult.url', config.onResult.url] as [string, string]]),
  ];
}

export function telemetrySecrets(config: TelemetryConfig): SecretReference[] {
  return [
    // Not every source type authenticates with a bearer secret.
    ...('authSecret' in config.source && config.source.authSecret !== undefined
      ? [{ field: 'config.source.authSecret', name: config.source.authSecret }]
      : []),
    { field: 'config.sink.signingSecret', name: config.sink.signingSecret },
    ...(config.onResult === undefined
      ? []
      : [{ field: 'config.onResult.signingSecret', name: config.onResult.signingSecret }]),
  ];
}
