import { describe, expect, it } from 'vitest';
import { HttpRequestError } from '../../../functions/api/http.ts';
import { parseQuery, querySchemas } from '../../../functions/api/query.ts';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';

function queryErrorOf(call: () => unknown): HttpRequestError {
  try {
    call();
  } catch (error) {
    if (error instanceof HttpRequestError) return error;
    throw error;
  }
  throw new Error('expected an HttpRequestError, nothing was thrown');
}

describe('parseQuery', () => {
  it('fills in the defaults', () => {
    expect(parseQuery(undefined, querySchemas.listJobs)).toEqual({
      kind: undefined,
      name: undefined,
      enabled: undefined,
      limit: 20,
      cursor: undefined,
    });
    expect(parseQuery({ expression: 'rate(5 minutes)' }, querySchemas.preview)).toMatchObject({ count: 5 });
  });

  it('converts values', () => {
    expect(
      parseQuery({ kind: 'prompt', enabled: 'false', limit: '100', name: 'nightly' }, querySchemas.listJobs),
    ).toEqual({
      kind: 'prompt',
      name: 'nightly',
      enabled: false,
      limit: 100,
      cursor: undefined,
    });
    expect(parseQuery({ dryRun: 'true' }, querySchemas.reconcile)).toEqual({ dryRun: true });
  });

  it.each([
    ['limit 0', { limit: '0' }, querySchemas.listJobs, /limit must be a whole number from 1 to 100.*got "0"/],
    ['limit 101', { limit: '101' }, querySchemas.listJobs, /limit must be a whole number from 1 to 100/],
    ['limit text', { limit: 'ten' }, querySchemas.listRuns, /limit must be .*got "ten"/],
    ['limit negative', { limit: '-1' }, querySchemas.status, /limit must be/],
    ['limit a fraction', { limit: '2.5' }, querySchemas.listJobs, /limit must be/],
    [
      'enabled yes',
      { enabled: 'yes' },
      querySchemas.listJobs,
      /enabled must be "true" or "false", got "yes"/,
    ],
    [
      'unknown kind',
      { kind: 'shell' },
      querySchemas.listJobs,
      new RegExp(`kind must be one of ${JOB_KINDS.join(', ')}, got "shell"`),
    ],
    ['bad status', { status: 'done' }, querySchemas.listRuns, /status must be one of pending, running/],
    ['bad job name', { job: 'a b' }, querySchemas.listRuns, /job must be 1-64 characters/],
    [
      'count 51',
      { expression: 'rate(5 minutes)', count: '51' },
      querySchemas.preview,
      /count must be a whole number from 1 to 50/,
    ],
    ['no expression', {}, querySchemas.preview, /query parameter expression is required/],
    ['empty cursor', { cursor: '' }, querySchemas.listJobs, /cursor must be the nextCursor/],
    [
      'an unknown parameter',
      { knd: 'prompt' },
      querySchemas.listJobs,
      /knd is not known; expected one of kind, name/,
    ],
    ['a parameter where none is taken', { verbose: 'true' }, querySchemas.none, /takes no query parameters/],
    ['dryRun maybe', { dryRun: 'maybe' }, querySchemas.reconcile, /dryRun must be "true" or "false"/],
  ])('rejects %s with a 400 naming the parameter', (_case, query, shape, message) => {
    const error = queryErrorOf(() => parseQuery(query, shape));
    expect(error).toMatchObject({ statusCode: 400, type: 'InvalidQuery' });
    expect(error.message).toMatch(message);
  });
});
