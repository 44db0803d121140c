/**
 * The config schemas of telemetry's AWS sources (`cloudwatch-metrics`, `logs-insights`): good configs
 * parse as written (defaults are applied by the source, not stored), and each bad field is named with its rule.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import {
  alignDown,
  cloudWatchMetricsSourceSchema,
  cloudWatchMetricsTables,
  DEFAULT_BEDROCK_METRICS,
} from '../../../shared/kinds/telemetry/sources/cloudwatch-metrics.ts';
import {
  logsInsightsSourceSchema,
  logsInsightsTables,
  windowedQuery,
} from '../../../shared/kinds/telemetry/sources/logs-insights.ts';
import { parseWith } from '../../../shared/validation.ts';

function problem(
  schema: Parameters<typeof parseWith>[0],
  value: unknown,
): { field: string; message: string } {
  try {
    parseWith(schema, value, { root: 'config.source' });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const [first] = error.details;
    return { field: first?.field ?? error.field, message: first?.message ?? error.message };
  }
  throw new Error('expected a ValidationError');
}

const metrics = { type: 'cloudwatch-metrics', modelIds: ['anthropic.claude-3-haiku-20240307-v1:0'] };

describe('cloudwatch-metrics source config', () => {
  it.each([
    ['the minimum', metrics],
    [
      'every field',
      { ...metrics, namespace: 'Custom/Models', metrics: ['Invocations'], periodSeconds: 300, stat: 'p99' },
    ],
    ['a day-long period', { ...metrics, periodSeconds: 86_400 }],
    ['a trimmed mean', { ...metrics, stat: 'tm90' }],
  ])('accepts %s, as written', (_case, config) => {
    expect(parseWith(cloudWatchMetricsSourceSchema, config)).toEqual(config);
  });

  it.each([
    [
      'no model ids',
      { ...metrics, modelIds: [] },
      'config.source.modelIds',
      'must name at least one model id',
    ],
    [
      'a repeated model id',
      { ...metrics, modelIds: ['a', 'a'] },
      'config.source.modelIds',
      'must not repeat a model id',
    ],
    [
      'a period not a multiple of 60',
      { ...metrics, periodSeconds: 90 },
      'config.source.periodSeconds',
      'multiple of 60',
    ],
    [
      'a period under a minute',
      { ...metrics, periodSeconds: 30 },
      'config.source.periodSeconds',
      'multiple of 60',
    ],
    [
      'a fractional period',
      { ...metrics, periodSeconds: 60.5 },
      'config.source.periodSeconds',
      'whole number',
    ],
    ['an unknown statistic', { ...metrics, stat: 'Median' }, 'config.source.stat', 'CloudWatch statistic'],
    [
      'a namespace starting with ":"',
      { ...metrics, namespace: ':x' },
      'config.source.namespace',
      'not starting with ":"',
    ],
    ['an empty metric list', { ...metrics, metrics: [] }, 'config.source.metrics', 'at least one metric'],
    ['an unknown field', { ...metrics, region: 'us-east-1' }, 'config.source.region', 'not a known field'],
  ])('rejects %s, naming the field and the rule', (_case, config, field, rule) => {
    const found = problem(cloudWatchMetricsSourceSchema, config);
    expect(found.field).toBe(field);
    expect(found.message).toContain(field);
    expect(found.message).toContain(rule);
  });

  it('Given no metrics, Then its tables are Bedrock’s runtime metrics', () => {
    expect(cloudWatchMetricsTables(parseWith(cloudWatchMetricsSourceSchema, metrics))).toEqual(
      DEFAULT_BEDROCK_METRICS,
    );
  });

  it.each([
    ['2026-03-01T10:00:00.000Z', 60, '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:59.999Z', 60, '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:07:30.000Z', 300, '2026-03-01T10:05:00.000Z'],
    ['2026-03-01T23:59:59.000Z', 86_400, '2026-03-01T00:00:00.000Z'],
  ])('aligns %s down to %d seconds', (at, period, aligned) => {
    expect(alignDown(new Date(at), period).toISOString()).toBe(aligned);
  });
});

const logs = {
  type: 'logs-insights',
  logGroupNames: ['/aws/bedrock/invocations'],
  query: 'fields @timestamp, @message',
};

describe('logs-insights source config', () => {
  it.each([
    ['the minimum', logs],
    ['a table name', { ...logs, table: 'invocations' }],
    ['50 log groups', { ...logs, logGroupNames: Array.from({ length: 50 }, (_, i) => `/app/group-${i}`) }],
  ])('accepts %s, as written', (_case, config) => {
    expect(parseWith(logsInsightsSourceSchema, config)).toEqual(config);
  });

  it.each([
    ['no log group', { ...logs, logGroupNames: [] }, 'config.source.logGroupNames', 'at least one log group'],
    [
      '51 log groups',
      { ...logs, logGroupNames: Array.from({ length: 51 }, (_, i) => `/app/group-${i}`) },
      'config.source.logGroupNames',
      'at most 50 log groups',
    ],
    [
      'a bad log group name',
      { ...logs, logGroupNames: ['bad name'] },
      'config.source.logGroupNames.0',
      'log group name',
    ],
    [
      'a repeated log group',
      { ...logs, logGroupNames: ['/a', '/a'] },
      'config.source.logGroupNames',
      'must not repeat',
    ],
    ['an empty query', { ...logs, query: '  ' }, 'config.source.query', 'must not be empty'],
    [
      'a query too long',
      { ...logs, query: 'x'.repeat(9_801) },
      'config.source.query',
      'at most 9800 characters',
    ],
    ['a bad table name', { ...logs, table: 'a table' }, 'config.source.table', 'table name'],
    ['no query', { type: 'logs-insights', logGroupNames: ['/a'] }, 'config.source.query', 'query'],
  ])('rejects %s, naming the field and the rule', (_case, config, field, rule) => {
    const found = problem(logsInsightsSourceSchema, config);
    expect(found.field).toBe(field);
    expect(found.message).toContain(rule);
  });

  it('Given no table, Then its one table is `logs`', () => {
    expect(logsInsightsTables(parseWith(logsInsightsSourceSchema, logs))).toEqual(['logs']);
  });

  it('Given a window, Then the query starts with its half-open filter in milliseconds', () => {
    const window = { from: new Date('2026-03-01T10:00:00.250Z'), to: new Date('2026-03-01T10:05:00Z') };
    expect(windowedQuery(' stats count() by bin(1m) ', window)).toBe(
      `filter toMillis(@timestamp) >= ${window.from.getTime()} and toMillis(@timestamp) < ${window.to.getTime()}\n| stats count() by bin(1m)`,
    );
  });
});
