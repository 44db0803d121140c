/**
 * The sync kind's config and run parameters: each field's rule, with the message naming the field and
 * the rule; parameters checked against the job's config.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { parseConfigOf, parseRunParams } from '../../../shared/kinds/config.ts';
import { syncKind } from '../../../shared/kinds/sync/definition.ts';

const crm = {
  id: 'crm',
  source: { type: 'http', url: 'https://crm.example.com/records', authSecret: 'crm-token' },
};
const valid = {
  connectors: [
    crm,
    { ...crm, id: 'billing', healthUrl: 'https://billing.example.com/health', enabled: false },
  ],
  sink: { url: 'https://ingest.example.com/records', signingSecret: 'ingest-key', timeoutSeconds: 20 },
  pageSize: 100,
  maxPagesPerRun: 50,
  concurrency: 2,
};

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.details;
    throw error;
  }
  return [];
}

const withConnector = (entry: Record<string, unknown>) => ({ ...valid, connectors: [{ ...crm, ...entry }] });

describe('sync config', () => {
  it('accepts a valid config, and one with only connectors and sink', () => {
    expect(parseConfigOf(syncKind, valid)).toEqual(valid);
    expect(problemsOf(() => parseConfigOf(syncKind, { connectors: [crm], sink: valid.sink }))).toEqual([]);
  });

  it.each([
    ['no connectors', { ...valid, connectors: [] }, 'config.connectors', 'must list at least 1 connector'],
    [
      '51 connectors',
      { ...valid, connectors: Array.from({ length: 51 }, (_, i) => ({ ...crm, id: `c${i}` })) },
      'config.connectors',
      'at most 50',
    ],
    [
      'a repeated id',
      { ...valid, connectors: [crm, crm] },
      'config.connectors',
      'must not name a connector id twice; got "crm"',
    ],
    ['an id with #', withConnector({ id: 'crm#1' }), 'config.connectors.0.id', 'must be a connector id'],
    ['an empty id', withConnector({ id: '' }), 'config.connectors.0.id', 'must be a connector id'],
    [
      'another source type',
      withConnector({ source: { type: 'ftp', url: 'https://x.example.com' } }),
      'config.connectors.0.source.type',
      'http',
    ],
    [
      'a relative source URL',
      withConnector({ source: { type: 'http', url: '/records' } }),
      'config.connectors.0.source.url',
      'absolute http(s) URL',
    ],
    [
      'a token in the source URL',
      withConnector({ source: { type: 'http', url: 'https://crm.example.com/r?token=abc' } }),
      'config.connectors.0.source.url',
      'must not carry credentials',
    ],
    [
      'an authSecret with spaces',
      withConnector({ source: { type: 'http', url: 'https://crm.example.com/r', authSecret: 'a b' } }),
      'config.connectors.0.source.authSecret',
      'NAME of a secret',
    ],
    [
      'a bad healthUrl',
      withConnector({ healthUrl: 'health' }),
      'config.connectors.0.healthUrl',
      'absolute http(s) URL',
    ],
    [
      'enabled as text',
      withConnector({ enabled: 'yes' }),
      'config.connectors.0.enabled',
      'must be true or false',
    ],
    [
      'an unknown connector field',
      withConnector({ colour: 'blue' }),
      'config.connectors.0.colour',
      'unknown',
    ],
    [
      'no sink',
      { connectors: [crm] },
      'config.sink',
      'must be an object {url, signingSecret, timeoutSeconds?}',
    ],
    [
      'a sink timeout of 0',
      { ...valid, sink: { ...valid.sink, timeoutSeconds: 0 } },
      'config.sink.timeoutSeconds',
      'at least 1 second',
    ],
    [
      'a sink timeout past the function',
      { ...valid, sink: { ...valid.sink, timeoutSeconds: 900 } },
      'config.sink.timeoutSeconds',
      'at most 295 seconds',
    ],
    ['pageSize 0', { ...valid, pageSize: 0 }, 'config.pageSize', 'at least 1'],
    ['pageSize 1001', { ...valid, pageSize: 1001 }, 'config.pageSize', 'at most 1000'],
    [
      'maxPagesPerRun 2.5',
      { ...valid, maxPagesPerRun: 2.5 },
      'config.maxPagesPerRun',
      'whole number of pages',
    ],
    ['concurrency 11', { ...valid, concurrency: 11 }, 'config.concurrency', 'at most 10'],
  ])('rejects %s, naming the field and the rule', (_case, config, field, rule) => {
    const problems = problemsOf(() => parseConfigOf(syncKind, config));
    const problem = problems.find((entry) => entry.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toContain(rule);
  });

  it('requires https URLs in a deployed stack', () => {
    const local = withConnector({ source: { type: 'http', url: 'http://crm.example.com/r' } });
    expect(problemsOf(() => parseConfigOf(syncKind, local, { mode: 'local' }))).toEqual([]);
    expect(problemsOf(() => parseConfigOf(syncKind, local, { mode: 'aws' }))).toEqual([
      {
        field: 'config.connectors.0.source.url',
        message:
          'config.connectors.0.source.url must be an https URL in a deployed stack; got "http://crm.example.com/r"',
      },
    ]);
  });
});

describe('sync run parameters', () => {
  it.each([
    [{}, []],
    [{ connectors: ['crm'], fullResync: true }, []],
    [{ connectors: [] }, ['params.connectors']],
    [{ connectors: ['crm', 'crm'] }, ['params.connectors']],
    [{ connectors: ['zendesk'] }, ['params.connectors']],
    [{ fullResync: 'yes' }, ['params.fullResync']],
    [{ since: 'yesterday' }, ['params.since']],
  ])('checks %j against the job config', (params, fields) => {
    const problems = problemsOf(() => parseRunParams(syncKind, params, valid));
    expect(problems.map((problem) => problem.field)).toEqual(fields);
  });

  it("names the job's connectors when a run asks for another", () => {
    expect(problemsOf(() => parseRunParams(syncKind, { connectors: ['zendesk', 'crm'] }, valid))).toEqual([
      {
        field: 'params.connectors',
        message: 'params.connectors must name connectors of the job (crm, billing); got "zendesk"',
      },
    ]);
  });
});
