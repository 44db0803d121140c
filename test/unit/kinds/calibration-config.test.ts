/**
 * The calibration config, field by field: what is accepted (with its defaults left to the work), and
 * every refusal naming the field and the rule, all problems of a config at once.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { calibrationKind } from '../../../shared/kinds/calibration/definition.ts';
import { parseConfigOf, parseRunParams } from '../../../shared/kinds/config.ts';

const model = { name: 'support-bot', version: '2026-03', environment: 'prod', purpose: 'triage' };
const openai = {
  type: 'openai-compatible',
  baseUrl: 'https://llm.example.com/v1',
  model: 'gpt-4o-mini',
  apiKeySecret: 'prod/openai',
};
const bedrock = {
  type: 'bedrock',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 0.9 },
};
const lambda = { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:my-model' };
const responses = {
  promptsUrl: 'https://platform.example.com/calibration/prompts',
  submitUrl: 'https://platform.example.com/calibration/responses',
  authSecret: 'prod/platform',
};
const registry = {
  promptsUrl: 'https://registry.example.com/registry/prompts',
  ingestUrl: 'https://registry.example.com/ingest',
  signingSecret: 'prod/ingest',
};
const base = { model, provider: openai, flows: { responses } };

function problemsOf(config: unknown): { field: string; message: string }[] {
  try {
    parseConfigOf(calibrationKind, config);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('calibration config: accepted', () => {
  it.each([
    ['the openai-compatible provider with the responses flow', base],
    ['the bedrock provider with both flows', { model, provider: bedrock, flows: { responses, registry } }],
    ['the lambda provider with the registry flow', { model, provider: lambda, flows: { registry } }],
    [
      'every limit, prices and budgets',
      {
        ...base,
        provider: { ...openai, headers: { 'api-version': '2024-06-01' }, maxTokens: 256 },
        concurrency: 32,
        promptTimeoutSeconds: 300,
        maxFailureRatio: 0.25,
        pricing: { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 },
        budget: { perRunUsd: 1, perDayUsd: 5, perRunTokens: 100_000, perDayTokens: 1_000_000 },
      },
    ],
    ['a token budget without prices', { ...base, budget: { perDayTokens: 10_000 } }],
  ])('accepts %s', (_case, config) => {
    expect(parseConfigOf(calibrationKind, config)).toEqual(config);
  });
});

describe('calibration config: refused, naming the field and the rule', () => {
  it.each([
    [
      'no model',
      { ...base, model: undefined },
      'config.model',
      'must be an object {name, version, environment, purpose}',
    ],
    [
      'an empty model version',
      { ...base, model: { ...model, version: '' } },
      'config.model.version',
      'must not be empty',
    ],
    [
      'an unknown provider type',
      { ...base, provider: { type: 'gemini' } },
      'config.provider.type',
      'must be one of "openai-compatible", "bedrock", "lambda"; got "gemini"',
    ],
    [
      'a provider that is no object',
      { ...base, provider: 'openai' },
      'config.provider',
      'must be an object {type, …} whose type is one of "openai-compatible", "bedrock", "lambda"; got "openai"',
    ],
    [
      'a bedrock field on the openai-compatible provider',
      { ...base, provider: { ...openai, modelId: 'x' } },
      'config.provider.modelId',
      'is not a known field',
    ],
    [
      'an openai field on the bedrock provider',
      { ...base, provider: { ...bedrock, baseUrl: 'https://x.example.com' } },
      'config.provider.baseUrl',
      'is not a known field',
    ],
    [
      'a lambda field on the bedrock provider',
      { ...base, provider: { ...bedrock, functionArn: lambda.functionArn } },
      'config.provider.functionArn',
      'is not a known field',
    ],
    [
      'a bedrock provider without inferenceConfig',
      { ...base, provider: { ...bedrock, inferenceConfig: undefined } },
      'config.provider.inferenceConfig',
      'must be an object {maxTokens, temperature, topP}',
    ],
    [
      'a temperature above 1',
      {
        ...base,
        provider: { ...bedrock, inferenceConfig: { ...bedrock.inferenceConfig, temperature: 1.5 } },
      },
      'config.provider.inferenceConfig.temperature',
      'must be from 0 to 1; got number 1.5',
    ],
    [
      'a function name instead of an ARN',
      { ...base, provider: { ...lambda, functionArn: 'my-model' } },
      'config.provider.functionArn',
      'must be a Lambda function ARN',
    ],
    [
      'an API key inline',
      { ...base, provider: { ...openai, apiKey: 'sk-123' } },
      'config.provider.apiKey',
      'secrets are passed by reference',
    ],
    [
      'an Authorization header inline',
      { ...base, provider: { ...openai, headers: { Authorization: 'Bearer sk' } } },
      'config.provider.headers.Authorization',
      'secrets are passed by reference',
    ],
    [
      'a header with a line break',
      { ...base, provider: { ...openai, headers: { 'X-Team': 'a\r\nX-Evil: 1' } } },
      'config.provider.headers.X-Team',
      'must be one line',
    ],
    [
      'a key in the base URL',
      { ...base, provider: { ...openai, baseUrl: 'https://llm.example.com/v1?api_key=sk' } },
      'config.provider.baseUrl',
      'config.provider.apiKeySecret',
    ],
    [
      'a non-http prompts URL',
      { ...base, flows: { responses: { ...responses, promptsUrl: 'ftp://x.example.com' } } },
      'config.flows.responses.promptsUrl',
      'must be an http(s) URL',
    ],
    ['no flow', { ...base, flows: {} }, 'config.flows', 'must name at least one flow: responses or registry'],
    [
      'an unknown flow',
      { ...base, flows: { responses, batch: {} } },
      'config.flows.batch',
      'is not a known field',
    ],
    [
      'a registry flow without its signing secret',
      { ...base, flows: { registry: { ...registry, signingSecret: undefined } } },
      'config.flows.registry.signingSecret',
      'must be a secret name',
    ],
    [
      'a concurrency of 0',
      { ...base, concurrency: 0 },
      'config.concurrency',
      'must be at least 1; got number 0',
    ],
    [
      'a concurrency of 33',
      { ...base, concurrency: 33 },
      'config.concurrency',
      'must be at most 32; got number 33',
    ],
    [
      'a fractional concurrency',
      { ...base, concurrency: 2.5 },
      'config.concurrency',
      'must be a whole number; got number 2.5',
    ],
    [
      'a prompt timeout of 301 s',
      { ...base, promptTimeoutSeconds: 301 },
      'config.promptTimeoutSeconds',
      'must be at most 300 seconds',
    ],
    [
      'a failure ratio above 1',
      { ...base, maxFailureRatio: 2 },
      'config.maxFailureRatio',
      'must be from 0 to 1; got number 2',
    ],
    [
      'a zero price',
      { ...base, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 1 } },
      'config.pricing.inputPerMillionTokens',
      'must be greater than 0; got number 0',
    ],
    [
      'a negative budget',
      { ...base, budget: { perDayTokens: -5 } },
      'config.budget.perDayTokens',
      'must be at least 1 tokens; got number -5',
    ],
    [
      'a zero dollar budget',
      { ...base, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 }, budget: { perRunUsd: 0 } },
      'config.budget.perRunUsd',
      'must be greater than 0; got number 0',
    ],
    [
      'an empty budget',
      { ...base, budget: {} },
      'config.budget',
      'must set at least one of perRunUsd, perDayUsd, perRunTokens, perDayTokens',
    ],
    [
      'a dollar budget without prices',
      { ...base, budget: { perDayUsd: 5 } },
      'config.pricing',
      'config.pricing is required when config.budget sets perRunUsd or perDayUsd',
    ],
    ['an unknown top-level field', { ...base, schedule: 'daily' }, 'config.schedule', 'is not a known field'],
  ])('refuses %s', (_case, config, field, rule) => {
    const problems = problemsOf(config);
    expect(problems.find((problem) => problem.field === field)?.message).toContain(rule);
  });

  it('reports every problem of a config at once', () => {
    const problems = problemsOf({ ...base, concurrency: 0, maxFailureRatio: -1, flows: {} });
    expect(problems.map((problem) => problem.field).sort()).toEqual([
      'config.concurrency',
      'config.flows',
      'config.maxFailureRatio',
    ]);
  });

  it('refuses http URLs in a deployed stack, naming each field', () => {
    const config = parseConfigOf(calibrationKind, {
      ...base,
      provider: { ...openai, baseUrl: 'http://llm.example.com/v1' },
    });
    expect(calibrationKind.checkConfig?.(config, { mode: 'aws' })).toEqual([
      {
        field: 'config.provider.baseUrl',
        message:
          'config.provider.baseUrl must be an https URL in a deployed stack; got "http://llm.example.com/v1"',
      },
    ]);
    expect(calibrationKind.checkConfig?.(config, { mode: 'local' })).toEqual([]);
  });
});

describe('calibration secrets and run parameters', () => {
  it('lists every secret the config names, with its field', () => {
    const config = parseConfigOf(calibrationKind, {
      ...base,
      flows: { responses, registry: { ...registry, authSecret: 'prod/registry' } },
    });
    expect(calibrationKind.secretsOf?.(config)).toEqual([
      { field: 'config.provider.apiKeySecret', name: 'prod/openai' },
      { field: 'config.flows.responses.authSecret', name: 'prod/platform' },
      { field: 'config.flows.registry.signingSecret', name: 'prod/ingest' },
      { field: 'config.flows.registry.authSecret', name: 'prod/registry' },
    ]);
  });

  it.each([
    [{}, {}],
    [{ maxPrompts: 10 }, { maxPrompts: 10 }],
  ])('accepts the parameters %j', (params, parsed) => {
    expect(parseRunParams(calibrationKind, params)).toEqual(parsed);
  });

  it.each([
    [{ maxPrompts: 0 }, 'params.maxPrompts', 'must be at least 1 prompts; got number 0'],
    [{ maxPrompts: 1001 }, 'params.maxPrompts', 'must be at most 1000 prompts; got number 1001'],
    [{ from: '2026-01-01' }, 'params.from', 'is not a known field'],
  ])('refuses the parameters %j', (params, field, rule) => {
    try {
      parseRunParams(calibrationKind, params);
      throw new Error('expected a ValidationError');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      expect(error.details.find((problem) => problem.field === field)?.message).toContain(rule);
    }
  });
});
