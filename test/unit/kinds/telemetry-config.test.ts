/**
 * The telemetry kind's config and run parameters: each field's rule, with the message naming the field
 * and the rule; the rules tied to the job's schedule; the ISO-8601 duration parser.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { buildJob, definitionFields, patchedDefinition } from '../../../shared/jobs/definition.ts';
import { parseConfigOf, parseRunParams } from '../../../shared/kinds/config.ts';
import { telemetryKind } from '../../../shared/kinds/telemetry/definition.ts';
import { formatDuration, parseDuration } from '../../../shared/kinds/telemetry/duration.ts';
import { parseSchedule } from '../../../shared/schedule/index.ts';

const valid = {
  model: { name: 'claims-triage', version: '3.1.0', environment: 'prod', purpose: 'route claims' },
  source: { type: 'http', url: 'https://telemetry.example.com/v1/rows', authSecret: 'prod/telemetry-api' },
  tables: ['predictions', 'latency'],
  sink: { url: 'https://ingest.example.com/tickwork', signingSecret: 'prod/ingest-key' },
};

function problemsOf(config: unknown, options: Parameters<typeof parseConfigOf>[2] = {}) {
  try {
    parseConfigOf(telemetryKind, config, options);
  } catch (error) {
    if (error instanceof ValidationError) return error.details;
    throw error;
  }
  return [];
}

function paramProblems(params: unknown) {
  try {
    parseRunParams(telemetryKind, params);
  } catch (error) {
    if (error instanceof ValidationError) return error.details;
    throw error;
  }
  return [];
}

describe('ISO-8601 durations', () => {
  it.each([
    ['PT2M', 120_000],
    ['PT0S', 0],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1DT12H', 129_600_000],
    ['PT90S', 90_000],
    ['P366D', 366 * 86_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1M', 'P1Y', 'P1W', 'PT1.5S', 'pt2m', '2M', 'PT-1M', 'P1DT', 'PT2M ', 'T2M'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it.each([
    [120_000, 'PT2M'],
    [0, 'PT0S'],
    [129_600_000, 'P1DT12H'],
    [3_661_000, 'PT1H1M1S'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('telemetry config', () => {
  it('accepts a full config and keeps it as given (defaults are applied at run time)', () => {
    const config = {
      ...valid,
      limitPerTable: 500,
      window: { initial: 'PT1H', settleLag: 'PT0S', max: 'P1D' },
      sink: { ...valid.sink, timeoutSeconds: 20, maxChunkBytes: 65_536 },
      onResult: { url: 'https://ops.example.com/done', signingSecret: 'prod/ops' },
    };
    expect(parseConfigOf(telemetryKind, config)).toEqual(config);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'no model',
      { model: undefined },
      'config.model',
      'config.model must be an object {name, version, environment, purpose}; got nothing',
    ],
    [
      'a model without purpose',
      { model: { name: 'm', version: '1', environment: 'prod' } },
      'config.model.purpose',
      'config.model.purpose must be a string; got nothing',
    ],
    [
      'an empty model name',
      { model: { ...valid.model, name: '' } },
      'config.model.name',
      'config.model.name must not be empty',
    ],
    [
      'an unknown source type',
      { source: { type: 'kafka', url: 'https://x.example.com' } },
      'config.source.type',
      'config.source.type must have a type, one of http, cloudwatch-metrics, logs-insights; got "kafka"',
    ],
    [
      'a source that is not an object',
      { source: 'https://x.example.com' },
      'config.source',
      'config.source must be an object {type, ...} whose type is one of http',
    ],
    [
      'a source URL with a token in it',
      { source: { type: 'http', url: 'https://x.example.com/rows?token=abc' } },
      'config.source.url',
      'config.source.url must not carry credentials in its query string (parameter "token"): authenticate with the signing secret instead — give the secret\'s NAME in config.source.authSecret',
    ],
    [
      'an unknown source field',
      { source: { ...valid.source, region: 'eu-west-1' } },
      'config.source.region',
      'config.source.region is not a known field',
    ],
    ['no tables', { tables: [] }, 'config.tables', 'config.tables must name at least 1 table'],
    [
      '51 tables',
      { tables: Array.from({ length: 51 }, (_, i) => `t${i}`) },
      'config.tables',
      'config.tables must name at most 50 tables; got 51',
    ],
    ['a table twice', { tables: ['a', 'a'] }, 'config.tables', 'config.tables must not name a table twice'],
    [
      'a table name with a space',
      { tables: ['ok', 'not ok'] },
      'config.tables.1',
      'config.tables.1 must be a table name of 1–128 of A-Z a-z 0-9 _ . : / -; got "not ok"',
    ],
    [
      'limitPerTable 0',
      { limitPerTable: 0 },
      'config.limitPerTable',
      'config.limitPerTable must be at least 1; got number 0',
    ],
    [
      'limitPerTable 100,001',
      { limitPerTable: 100_001 },
      'config.limitPerTable',
      'config.limitPerTable must be at most 100000; got number 100001',
    ],
    [
      'a month-long initial window',
      { window: { initial: 'P1M' } },
      'config.window.initial',
      'config.window.initial must be an ISO-8601 duration PnDTnHnMnS in whole numbers (e.g. PT2M, PT1H30M, P1D; no years, months or weeks); got "P1M"',
    ],
    [
      'a zero max',
      { window: { max: 'PT0S' } },
      'config.window.max',
      'config.window.max must be longer than zero; got "PT0S"',
    ],
    [
      'a settleLag over a year',
      { window: { settleLag: 'P400D' } },
      'config.window.settleLag',
      'config.window.settleLag must be at most P366D; got "P400D"',
    ],
    [
      'a settleLag as a number',
      { window: { settleLag: 120 } },
      'config.window.settleLag',
      'config.window.settleLag must be an ISO-8601 duration',
    ],
    [
      'a sink without signingSecret',
      { sink: { url: 'https://ingest.example.com' } },
      'config.sink.signingSecret',
      'config.sink.signingSecret must be a secret name; got nothing',
    ],
    [
      'a chunk under 1 KiB',
      { sink: { ...valid.sink, maxChunkBytes: 100 } },
      'config.sink.maxChunkBytes',
      'config.sink.maxChunkBytes must be at least 1024 bytes; got number 100',
    ],
    [
      'a chunk over 6 MiB',
      { sink: { ...valid.sink, maxChunkBytes: 7 * 1024 * 1024 } },
      'config.sink.maxChunkBytes',
      'config.sink.maxChunkBytes must be at most 6291456 bytes',
    ],
    [
      'a sink timeout over the function timeout',
      { sink: { ...valid.sink, timeoutSeconds: 300 } },
      'config.sink.timeoutSeconds',
      'config.sink.timeoutSeconds must be at most 295 seconds; got number 300',
    ],
    [
      'an inline signing secret value',
      { onResult: { url: 'https://ops.example.com', signingSecret: 'ops', secret: 'hunter2' } },
      'config.onResult.secret',
      'config.onResult.secret is not allowed: secrets are passed by reference',
    ],
    [
      'an onResult without url',
      { onResult: { signingSecret: 'ops' } },
      'config.onResult.url',
      'config.onResult.url must be a URL string; got nothing',
    ],
  ])('refuses %s, naming the field and the rule', (_case, override, field, message) => {
    const problems = problemsOf({ ...valid, ...override });
    const problem = problems.find((candidate) => candidate.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toContain(message);
  });

  it('refuses http URLs in a deployed stack, each by its field', () => {
    const problems = problemsOf(
      {
        ...valid,
        source: { type: 'http', url: 'http://telemetry.example.com' },
        onResult: { url: 'http://ops.example.com', signingSecret: 'ops' },
      },
      { mode: 'aws' },
    );
    expect(problems.map((problem) => problem.field)).toEqual(['config.source.url', 'config.onResult.url']);
  });

  it('names the secrets it refers to', () => {
    expect(
      telemetryKind.secretsOf?.({
        ...valid,
        onResult: { url: 'https://o.example.com', signingSecret: 'ops' },
      } as never),
    ).toEqual([
      { field: 'config.source.authSecret', name: 'prod/telemetry-api' },
      { field: 'config.sink.signingSecret', name: 'prod/ingest-key' },
      { field: 'config.onResult.signingSecret', name: 'ops' },
    ]);
  });
});

describe('telemetry config against the schedule', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const check = (schedule: string, window: Record<string, string> | undefined) =>
    problemsOf(
      { ...valid, ...(window === undefined ? {} : { window }) },
      {
        schedule: parseSchedule(schedule),
        now,
      },
    );

  it.each([
    ['rate(1 hour)', { max: 'PT1H' }],
    ['rate(5 minutes)', { max: 'PT10M' }],
    ['cron(0 9 ? * MON-FRI *)', { max: 'P3D' }],
    ['at(2026-04-01T00:00:00)', { initial: 'PT6H' }],
    ['rate(1 hour)', undefined],
  ])('accepts %s with window %j', (schedule, window) => {
    expect(check(schedule, window)).toEqual([]);
  });

  it.each([
    ['rate(1 hour)', { max: 'PT59M' }, 'PT1H'],
    // Weekdays at 09:00: the longest gap is Friday to Monday.
    ['cron(0 9 ? * MON-FRI *)', { max: 'P1D' }, 'P3D'],
  ])('refuses %s with window %j: max must cover the longest gap (%s)', (schedule, window, gap) => {
    const problems = check(schedule, window);
    expect(problems.map((problem) => problem.field)).toEqual(['config.window.max']);
    expect(problems[0]?.message).toContain(`at least the schedule's period (${gap}`);
  });

  it('requires window.initial for a one-time schedule (it has no period)', () => {
    const problems = check('at(2026-04-01T00:00:00)', undefined);
    expect(problems.map((problem) => problem.field)).toEqual(['config.window.initial']);
  });
});

describe('telemetry run parameters', () => {
  it.each([
    [{}],
    [{ from: '2026-03-01T00:00:00Z', to: '2026-03-01T06:00:00Z' }],
    [{ from: '2026-03-01T00:00:00Z', to: '2026-03-01T06:00:00Z', tables: ['latency'], limitPerTable: 10 }],
    [{ limitPerTable: 50 }],
  ])('accepts %j', (params) => {
    expect(parseRunParams(telemetryKind, params)).toEqual(params);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [
      { from: '2026-03-01T00:00:00Z' },
      'params.to',
      'params.to must be given with from (a backfill window needs both)',
    ],
    [{ to: '2026-03-01T00:00:00Z' }, 'params.from', 'params.from must be given with to'],
    [
      { from: '2026-03-01T06:00:00Z', to: '2026-03-01T06:00:00Z' },
      'params.to',
      'params.to must be after from (2026-03-01T06:00:00Z)',
    ],
    [
      { from: 'yesterday', to: '2026-03-01T06:00:00Z' },
      'params.from',
      'params.from must be an ISO-8601 instant',
    ],
    [
      { tables: ['latency'] },
      'params.tables',
      'params.tables must be given only with from and to (a backfill)',
    ],
    [{ limitPerTable: -1 }, 'params.limitPerTable', 'params.limitPerTable must be at least 1'],
    [{ window: 'PT1H' }, 'params.window', 'params.window is not a known field'],
  ])('refuses %j, naming %s', (params, field, message) => {
    const problems = paramProblems(params);
    expect(problems.map((problem) => problem.field)).toContain(field);
    expect(problems.find((problem) => problem.field === field)?.message).toContain(message);
  });
});

describe('telemetry config in a job definition (where config and schedule meet)', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const body = (schedule: string, window: Record<string, string>) => ({
    name: 'export-telemetry',
    kind: 'telemetry',
    schedule,
    config: { ...valid, window },
  });
  const problems = (definition: unknown) => {
    try {
      definitionFields(definition, { now, mode: 'local' });
    } catch (error) {
      if (error instanceof ValidationError) return error.details;
      throw error;
    }
    return [];
  };

  it('Given a window.max shorter than the schedule period, When the job is defined, Then a 400-style problem names config.window.max', () => {
    expect(problems(body('rate(1 hour)', { max: 'PT30M' })).map((problem) => problem.field)).toEqual([
      'config.window.max',
    ]);
  });

  it('Given a valid job, When a patch makes the schedule longer than window.max, Then the patched definition is refused on config.window.max', () => {
    const fields = definitionFields(body('rate(1 hour)', { max: 'PT1H' }), { now, mode: 'local' });
    const job = buildJob(fields, now);
    const patched = patchedDefinition(job, { schedule: 'rate(2 hours)' }, { now, mode: 'local' });
    expect(problems(patched).map((problem) => problem.field)).toEqual(['config.window.max']);
  });
});

describe('tables of the AWS sources', () => {
  it('accepts metric names as the tables of a cloudwatch-metrics source, and the named table of logs-insights', () => {
    const metrics = {
      ...valid,
      source: { type: 'cloudwatch-metrics', modelIds: ['anthropic.claude-3-haiku'] },
      tables: ['Invocations', 'InputTokenCount'],
    };
    expect(problemsOf(metrics)).toEqual([]);
    const logs = {
      ...valid,
      source: {
        type: 'logs-insights',
        logGroupNames: ['/aws/bedrock/invocations'],
        query: 'fields @message',
        table: 'calls',
      },
      tables: ['calls'],
    };
    expect(problemsOf(logs)).toEqual([]);
  });

  it('refuses a table the source does not have, naming the tables it has', () => {
    const config = {
      ...valid,
      source: { type: 'cloudwatch-metrics', modelIds: ['m'], metrics: ['Invocations'] },
      tables: ['Invocations', 'predictions'],
    };
    expect(problemsOf(config)).toEqual([
      {
        field: 'config.tables',
        message:
          'config.tables must name tables the cloudwatch-metrics source has (Invocations); got "predictions"',
      },
    ]);
  });
});
