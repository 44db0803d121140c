/**
 * Prompt config rules that protect storage and secrets: metadata depth and size (DynamoDB nests at
 * most 32 levels, an item holds 400 KB), and webhook URLs that would carry credentials in their query
 * string instead of using the signing secret reference.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { parseConfigOf } from '../../../shared/kinds/config.ts';
import { MAX_METADATA_BYTES, MAX_METADATA_DEPTH } from '../../../shared/kinds/prompt/config.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';

const target = {
  type: 'webhook',
  url: 'https://hooks.example.com/tickwork',
  signingSecret: 'prod/webhook-key',
};

function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

/** An object `levels` deep: 1 is `{"leaf": 1}`. `array` nests through arrays instead. */
function nested(levels: number, array = false): unknown {
  let value: unknown = array ? [1] : { leaf: 1 };
  for (let i = 1; i < levels; i++) value = array ? [value] : { level: value };
  return value;
}

describe('prompt metadata limits', () => {
  it.each([
    ['1 level', 1],
    [`${MAX_METADATA_DEPTH} levels`, MAX_METADATA_DEPTH],
  ])('accepts metadata nested %s deep', (_case, levels) => {
    const metadata = nested(levels) as Record<string, unknown>;
    expect(parseConfigOf(promptKind, { prompt: 'x', metadata, target })).toMatchObject({ metadata });
  });

  it.each([
    ['objects one level too deep', { deep: nested(MAX_METADATA_DEPTH) }],
    ['arrays one level too deep', { deep: nested(MAX_METADATA_DEPTH, true) }],
    ['objects past DynamoDB limit', nested(33)],
    ['a very deep document', nested(5_000)],
  ])('rejects %s', (_case, metadata) => {
    // When metadata deeper than the limit is given
    const error = validationError(() => parseConfigOf(promptKind, { prompt: 'x', metadata, target }));
    // Then the error names the field and the rule
    expect(error.field).toBe('config.metadata');
    expect(error.message).toBe(
      `config.metadata must be nested at most ${MAX_METADATA_DEPTH} levels deep (objects and arrays; DynamoDB stores at most 32)`,
    );
  });

  it('rejects metadata over the size limit, giving its size', () => {
    const metadata = { notes: 'n'.repeat(MAX_METADATA_BYTES) };
    const error = validationError(() => parseConfigOf(promptKind, { prompt: 'x', metadata, target }));
    expect(error.field).toBe('config.metadata');
    expect(error.message).toBe(
      `config.metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON; got ${MAX_METADATA_BYTES + 12} bytes`,
    );
  });
});

describe('credentials in a webhook URL query string', () => {
  it.each([
    'token',
    'TOKEN',
    'access_token',
    'api_key',
    'api-key',
    'apikey',
    'ApiKey',
    'key',
    'secret',
    'password',
    'passwd',
    'signature',
    'sig',
    'auth',
    'Authorization',
    'client_secret',
  ])('rejects ?%s=…, without echoing the value', (parameter) => {
    const url = `https://hooks.example.com/tickwork?team=sre&${parameter}=s3cr3t-value`;
    const error = validationError(() =>
      parseConfigOf(promptKind, { prompt: 'x', target: { ...target, url } }),
    );
    expect(error.field).toBe('config.target.url');
    expect(error.message).toContain(
      `must not carry credentials in its query string (parameter "${parameter}")`,
    );
    expect(error.message).toContain('config.target.signingSecret');
    expect(error.message).toContain('Tickwork-Signature');
    expect(error.message).not.toContain('s3cr3t-value');
  });

  it.each([
    'https://hooks.example.com/tickwork?team=sre&channel=alerts',
    'https://hooks.example.com/tickwork?keyword=deploy&tokens_used=3&monkey=1',
    'https://hooks.example.com/tickwork?source=tickwork#token=fragment-is-not-sent',
    'http://127.0.0.1:8787/hook',
  ])('accepts ordinary query parameters: %s', (url) => {
    expect(parseConfigOf(promptKind, { prompt: 'x', target: { ...target, url } })).toMatchObject({
      target: { url },
    });
  });
});
