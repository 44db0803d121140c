/**
 * The task config, field by field: each target accepted as documented, and every refusal naming the
 * field and the rule, all problems of a config at once (the API answers them as one 400).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { parseConfigOf, parseRunParams } from '../../../shared/kinds/config.ts';
import { taskKind } from '../../../shared/kinds/task/definition.ts';

const lambda = { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reminders' };
const http = { type: 'http', url: 'https://tasks.example.com/run', signingSecret: 'prod/tasks' };
const bus = { type: 'eventbridge', eventBusName: 'orders', source: 'com.example.billing', detailType: 'Due' };

function problemsOf(config: unknown, options: { mode?: 'aws' | 'local' } = {}) {
  try {
    parseConfigOf(taskKind, config, options);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('task config: accepted', () => {
  it.each([
    ['a lambda target', { target: lambda }],
    [
      'a lambda alias with a timeout and a payload',
      {
        target: { ...lambda, functionArn: `${lambda.functionArn}:live`, timeoutSeconds: 895 },
        payload: { a: [1, { b: 'c' }] },
      },
    ],
    ['an http target', { target: http }],
    ['an http target with every field', { target: { ...http, method: 'PATCH', timeoutSeconds: 120 } }],
    ['an eventbridge target by name', { target: bus }],
    [
      'an eventbridge target by ARN',
      { target: { ...bus, eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/central' } },
    ],
  ])('%s', (_case, config) => {
    expect(parseConfigOf(taskKind, config)).toEqual(config);
  });

  it('takes a payload from a manual run, and nothing else', () => {
    expect(parseRunParams(taskKind, { payload: { channel: 'sms' } })).toEqual({
      payload: { channel: 'sms' },
    });
    expect(() => parseRunParams(taskKind, { channel: 'sms' })).toThrow('params.channel is not a known field');
  });
});

describe('task config: refused, naming the field and the rule', () => {
  it.each([
    ['no target', {}, 'target', /config\.target/],
    [
      'an unknown target type',
      { target: { type: 'sqs' } },
      'target.type',
      /must be one of "lambda", "http", "eventbridge"; got "sqs"/,
    ],
    ['a target that is not an object', { target: 'lambda' }, 'target', /must be an object \{type, …\}/],
    [
      'a bare function name',
      { target: { ...lambda, functionArn: 'reminders' } },
      'target.functionArn',
      /must be a Lambda function ARN/,
    ],
    [
      'a wildcard function',
      { target: { ...lambda, functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:*' } },
      'target.functionArn',
      /must be a Lambda function ARN/,
    ],
    [
      'a timeout past the function',
      { target: { ...lambda, timeoutSeconds: 900 } },
      'target.timeoutSeconds',
      /at most 895 seconds/,
    ],
    [
      "another target's field",
      { target: { ...lambda, url: 'https://x.example.com' } },
      'target.url',
      /not a known field/,
    ],
    [
      'an http method without a body',
      { target: { ...http, method: 'GET' } },
      'target.method',
      /must be one of POST, PUT, PATCH; got "GET"/,
    ],
    [
      'a token in the URL',
      { target: { ...http, url: 'https://x.example.com/?token=abc' } },
      'target.url',
      /credentials in its query string/,
    ],
    [
      'an inline secret value',
      { target: { ...http, signingSecret: 'has spaces in it' } },
      'target.signingSecret',
      /NAME of a secret/,
    ],
    [
      'a wildcard bus',
      { target: { ...bus, eventBusName: 'orders*' } },
      'target.eventBusName',
      /event bus name/,
    ],
    [
      'an AWS source',
      { target: { ...bus, source: 'aws.s3' } },
      'target.source',
      /must not start with "aws\."/,
    ],
    ['an empty detail type', { target: { ...bus, detailType: '' } }, 'target.detailType', /1–128 characters/],
    ['a payload that is a list', { target: lambda, payload: [1] }, 'payload', /must be an object/],
    [
      'a payload over 64 KB',
      { target: lambda, payload: { blob: 'x'.repeat(70_000) } },
      'payload',
      /at most 65536 bytes/,
    ],
    ['an unknown field', { target: lambda, retries: 3 }, 'retries', /not a known field/],
  ])('%s', (_case, config, field, message) => {
    const problems = problemsOf(config);
    const problem = problems.find((candidate) => candidate.field === `config.${field}`);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('reports every problem of a config at once', () => {
    const problems = problemsOf({
      target: { ...bus, source: '', detailType: 'x'.repeat(129) },
      payload: 'no',
    });
    expect(problems.map((problem) => problem.field).sort()).toEqual([
      'config.payload',
      'config.target.detailType',
      'config.target.source',
    ]);
  });

  it('refuses an http URL in a deployed stack', () => {
    expect(problemsOf({ target: { ...http, url: 'http://tasks.example.com/run' } }, { mode: 'aws' })).toEqual(
      [
        {
          field: 'config.target.url',
          message:
            'config.target.url must be an https URL in a deployed stack; got "http://tasks.example.com/run"',
        },
      ],
    );
  });

  it('names the signing secret of an http target, and none for the others', () => {
    expect(taskKind.secretsOf?.(parseConfigOf(taskKind, { target: http }))).toEqual([
      { field: 'config.target.signingSecret', name: 'prod/tasks' },
    ]);
    expect(taskKind.secretsOf?.(parseConfigOf(taskKind, { target: bus }))).toEqual([]);
  });
});
