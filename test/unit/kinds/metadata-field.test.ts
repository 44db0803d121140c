/**
 * Metadata (a job's `config.metadata`, a run's `params.metadata`) takes any key but the empty one and
 * any number DynamoDB can store: what DynamoDB would refuse is refused here with the field named, so a
 * job that works on dynalite (which stores an empty key) cannot fail in AWS.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { parseConfigOf, parseRunParams } from '../../../shared/kinds/config.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';

const config = (metadata: unknown) => ({
  prompt: 'Summarize the overnight alerts',
  metadata,
  target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'prod/hook' },
});

function problemsOf(run: () => unknown): { field: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
  return [];
}

describe('metadata keys and numbers', () => {
  it.each([
    ['an empty key', { '': 1 }, 'config.metadata', /config\.metadata must not have an empty key/],
    ['an empty key deep down', { a: [{ '': 1 }] }, 'config.metadata.a.0', /must not have an empty key/],
    ['a number too large', { n: 1e126 }, 'config.metadata.n', /DynamoDB can store .*got 1e\+126/],
    ['a number too small', { n: [-1e-131] }, 'config.metadata.n.0', /DynamoDB can store .*got -1e-131/],
  ])('Given %s, Then the config is refused naming it', (_, metadata, field, message) => {
    const problems = problemsOf(() => parseConfigOf(promptKind, config(metadata)));
    expect(problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it.each([
    [
      'keys named like Object.prototype members',
      { constructor: { name: 'String' }, toString: 'x', valueOf: 1 },
    ],
    [
      'numbers at the ends of the range',
      { zero: 0, tiny: 1e-130, big: 9.99e125, negative: -9e125, past: 2 ** 60 },
    ],
    ['odd Unicode keys', { ' ': 1, 'a.b': 2, '\u0000': 3, '𝌆': 4 }],
  ])('Given %s, Then the config is taken as it is', (_, metadata) => {
    expect(parseConfigOf(promptKind, config(metadata))).toEqual(config(metadata));
  });

  it('Given run parameters with an empty key, Then they are refused naming it', () => {
    expect(problemsOf(() => parseRunParams(promptKind, { metadata: { a: { '': 1 } } }))).toEqual([
      { field: 'params.metadata.a', message: expect.stringMatching(/must not have an empty key/) },
    ]);
  });
});
