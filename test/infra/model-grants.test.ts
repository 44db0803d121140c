/**
 * Model permissions: `bedrock:InvokeModel` only on the foundation models the deployment lists (context
 * `tickwork:bedrockModelIds`) and `lambda:InvokeFunction` only on the model functions it lists (context
 * `tickwork:modelFunctionArns`), only to the functions whose kind declares the capability; none at all
 * by default.
 */
import { describe, expect, it } from 'vitest';
import { ContextError, parseBedrockModelIds, parseModelFunctionArns } from '../../infra/context.ts';
import { functionName } from '../../shared/functions.ts';
import { kinds } from '../../shared/kinds/registry.ts';
import { roleStatements } from '../support/grants.ts';

const MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1'];

function synth(context: Record<string, unknown>) {
  const statementsFor = roleStatements(context);
  return {
    bedrockStatements: (id: string) => statementsFor(id, 'bedrock'),
    lambdaStatements: (id: string) => statementsFor(id, 'lambda'),
  };
}

const FUNCTIONS = [
  'arn:aws:lambda:eu-west-1:123456789012:function:my-model',
  'arn:aws:lambda:eu-west-1:123456789012:function:other-model:live',
];
const withModelFunctions = kinds.filter((kind) =>
  (kind.capabilities as readonly string[]).includes('modelFunctions'),
);
const withBedrock = kinds.filter((kind) => (kind.capabilities as readonly string[]).includes('bedrock'));
const functions = ['api', ...kinds.map((kind) => kind.id)];

describe('model grants', () => {
  it('grants no Bedrock and no model-function permission to any function when none is listed', () => {
    const { bedrockStatements, lambdaStatements } = synth({});
    for (const id of functions) expect(bedrockStatements(id), id).toEqual([]);
    // (The API invokes the job functions for manual runs, and job functions invoke each other for chained
    // runs and fan-out children: their own grants, on the stack's job functions, not a model's.)
    for (const kind of kinds) {
      const models = lambdaStatements(kind.id).filter(
        (statement) => !JSON.stringify(statement.Resource).includes(':function:tickwork-qa-'),
      );
      expect(models, kind.id).toEqual([]);
      const runs = lambdaStatements(kind.id).filter((statement) => !models.includes(statement));
      expect(runs, kind.id).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: kinds.map((target) => ({
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':lambda:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:function:${functionName('qa', target.id)}`,
              ],
            ],
          })),
        },
      ]);
    }
  });

  it('grants InvokeModel and InvokeFunction on exactly what is listed, to the functions of kinds that use them', () => {
    const { bedrockStatements, lambdaStatements } = synth({
      'tickwork:bedrockModelIds': MODELS.join(','),
      'tickwork:modelFunctionArns': FUNCTIONS,
    });
    expect(withModelFunctions.length).toBeGreaterThan(0);
    for (const id of functions) {
      const invoke = lambdaStatements(id).filter((statement) =>
        FUNCTIONS.some((arn) => JSON.stringify(statement.Resource).includes(arn)),
      );
      expect(invoke, id).toEqual(
        withModelFunctions.some((kind) => kind.id === id)
          ? [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FUNCTIONS }]
          : [],
      );
    }
    expect(withBedrock.length).toBeGreaterThan(0);
    for (const id of functions) {
      const expected = withBedrock.some((kind) => kind.id === id)
        ? [
            {
              Effect: 'Allow',
              Action: 'bedrock:InvokeModel',
              Resource: MODELS.map((model) => ({
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':bedrock:',
                    { Ref: 'AWS::Region' },
                    `::foundation-model/${model}`,
                  ],
                ],
              })),
            },
          ]
        : [];
      expect(bedrockStatements(id), id).toEqual(expected);
    }
  });

  it.each([
    ['a wildcard', '*'],
    ['an ARN', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1'],
    ['a number', 42],
  ])('refuses %s as a model id', (_case, value) => {
    expect(() => parseBedrockModelIds(Array.isArray(value) ? value : [value])).toThrow(ContextError);
  });

  it.each([
    ['a wildcard', 'arn:aws:lambda:eu-west-1:123456789012:function:*'],
    ['a bare name', 'my-model'],
  ])('refuses %s as a model function', (_case, value) => {
    expect(() => parseModelFunctionArns(value)).toThrow(ContextError);
  });

  it('takes a comma-separated list or an array, without duplicates', () => {
    expect(parseModelFunctionArns(FUNCTIONS.join(','))).toEqual(FUNCTIONS);
    expect(parseBedrockModelIds(` ${MODELS[0]}, ${MODELS[1]},${MODELS[0]}`)).toEqual(MODELS);
    expect(parseBedrockModelIds(MODELS)).toEqual(MODELS);
    expect(parseBedrockModelIds(undefined)).toEqual([]);
  });
});
