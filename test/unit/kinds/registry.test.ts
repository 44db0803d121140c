import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { parseConfigOf, patchConfigOf } from '../../../shared/kinds/config.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { kindDefinition } from '../../../shared/kinds/registry.ts';

const valid = {
  prompt: 'Summarize the overnight alerts.',
  metadata: { team: 'sre' },
  target: { type: 'webhook', url: 'https://hooks.example.com/tickwork', signingSecret: 'prod/webhook-key' },
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

const withTarget = (target: Record<string, unknown>) => ({
  ...valid,
  target: { ...valid.target, ...target },
});

describe('prompt config', () => {
  it('accepts a valid config and returns it', () => {
    expect(parseConfigOf(promptKind, valid)).toEqual(valid);
    expect(parseConfigOf(promptKind, { prompt: 'x', target: valid.target })).toEqual({
      prompt: 'x',
      target: valid.target,
    });
  });

  it.each([
    ['an unknown field', { ...valid, colour: 'blue' }, 'config.colour', 'unknown fields are rejected'],
    ['an unknown target field', withTarget({ method: 'PUT' }), 'config.target.method', 'unknown fields'],
    ['a missing prompt', { target: valid.target }, 'config.prompt', 'must be a string; got nothing'],
    ['an empty prompt', { ...valid, prompt: '' }, 'config.prompt', 'must not be empty'],
    ['a prompt over 100 KB', { ...valid, prompt: 'é'.repeat(60_000) }, 'config.prompt', 'got 120000 bytes'],
    ['metadata that is not an object', { ...valid, metadata: [1] }, 'config.metadata', 'must be an object'],
    [
      'a missing target',
      { prompt: 'x' },
      'config.target',
      'must be an object {type, url, signingSecret, timeoutSeconds?}',
    ],
    [
      'another target type',
      withTarget({ type: 'email' }),
      'config.target.type',
      'must be "webhook"; got "email"',
    ],
    [
      'a relative URL',
      withTarget({ url: '/hook' }),
      'config.target.url',
      'absolute http(s) URL; got "/hook"',
    ],
    ['an ftp URL', withTarget({ url: 'ftp://example.com/x' }), 'config.target.url', 'http(s) URL'],
    [
      'a secret name with spaces',
      withTarget({ signingSecret: 'my key' }),
      'config.target.signingSecret',
      'NAME of a secret',
    ],
    [
      'a secret name over 128 characters',
      withTarget({ signingSecret: 'k'.repeat(129) }),
      'config.target.signingSecret',
      'NAME',
    ],
  ])('rejects %s', (_case, config, field, rule) => {
    const error = validationError(() => parseConfigOf(promptKind, config));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toContain(rule);
  });

  it.each([
    ['secret', { ...valid, secret: 'hunter2' }, 'config.secret'],
    ['signingSecretValue', withTarget({ signingSecretValue: 'hunter2' }), 'config.target.signingSecretValue'],
    ['token', withTarget({ token: 'hunter2' }), 'config.target.token'],
    ['password', { ...valid, password: 'hunter2' }, 'config.password'],
    ['apiKey in metadata', { ...valid, metadata: { apiKey: 'hunter2' } }, 'config.metadata.apiKey'],
    [
      'api_key nested',
      { ...valid, metadata: { auth: { api_key: 'hunter2' } } },
      'config.metadata.auth.api_key',
    ],
    [
      'credentials in the URL',
      withTarget({ url: 'https://user:hunter2@hooks.example.com/x' }),
      'config.target.url',
    ],
  ])(
    'rejects an inline secret (%s) with the by-reference rule, without echoing it',
    (_case, config, field) => {
      const error = validationError(() => parseConfigOf(promptKind, config));
      expect(error.field).toBe(field);
      expect(error.message).toContain('secrets are passed by reference');
      expect(error.message).not.toContain('hunter2');
    },
  );

  it('requires https in AWS mode, and allows http locally', () => {
    const http = withTarget({ url: 'http://127.0.0.1:8787/hook' });
    expect(validationError(() => parseConfigOf(promptKind, http, { mode: 'aws' })).field).toBe(
      'config.target.url',
    );
    expect(parseConfigOf(promptKind, http, { mode: 'local' })).toEqual(http);
  });

  it.each([
    ['an unknown kind', 'email'],
    ['no kind', undefined],
  ])('rejects %s', (_case, kind) => {
    const error = validationError(() => kindDefinition(kind));
    expect(error.field).toBe('kind');
    expect(error.message).toContain('kind must be one of prompt');
  });
});

describe('patchJobConfig', () => {
  it('merges a patch (objects merge, null removes) and validates the result', () => {
    const patched = patchConfigOf(promptKind, valid, {
      prompt: 'New text',
      metadata: null,
      target: { url: 'https://other.example.com/hook' },
    });
    expect(patched).toEqual({
      prompt: 'New text',
      target: { ...valid.target, url: 'https://other.example.com/hook' },
    });
  });

  it('rejects a patch that leaves an invalid config', () => {
    expect(validationError(() => patchConfigOf(promptKind, valid, { target: { url: 'nope' } })).field).toBe(
      'config.target.url',
    );
    expect(validationError(() => patchConfigOf(promptKind, valid, { prompt: null })).field).toBe(
      'config.prompt',
    );
  });

  it('rejects fields outside the patchable list', () => {
    const error = validationError(() => patchConfigOf(promptKind, valid, { schedule: 'rate(1 hour)' }));
    expect(error.field).toBe('config.schedule');
    expect(error.message).toContain('patchable: prompt, metadata, target');
  });
});
