/**
 * Bedrock permissions: `bedrock:InvokeModel` only on the foundation models the deployment lists
 * (context `tickwork:bedrockModelIds`), only to the functions whose kind declares the `bedrock`
 * capability; none at all by default.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ContextError, parseBedrockModelIds } from '../../infra/context.ts';
import { addTickwork } from '../../infra/tickwork.ts';
import { functionName } from '../../shared/functions.ts';
import { kinds } from '../../shared/kinds/registry.ts';

type Statement = { Action: string | string[]; Resource: unknown };

const MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1'];

function synth(context: Record<string, unknown>) {
  // Bundling skipped: the grants do not depend on the bundles.
  const app = new App({ context: { stage: 'qa', 'aws:cdk:bundling-stacks': [], ...context } });
  const template = Template.fromStack(addTickwork(app).service).toJSON();
  const resources = template.Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  /** Each function's role's statements that name a bedrock action. */
  const bedrockStatements = (id: string): Statement[] => {
    const fn = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        resource.Properties.FunctionName === functionName('qa', id as 'api'),
    );
    if (fn === undefined) throw new Error(`no function ${id}`);
    const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    return Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('bedrock:')));
  };
  return { bedrockStatements };
}

const withBedrock = kinds.filter((kind) => (kind.capabilities as readonly string[]).includes('bedrock'));
const functions = ['api', ...kinds.map((kind) => kind.id)];

describe('Bedrock grants', () => {
  it('grants no Bedrock permission to any function when no model is listed', () => {
    const { bedrockStatements } = synth({});
    for (const id of functions) expect(bedrockStatements(id), id).toEqual([]);
  });

  it('grants InvokeModel on exactly the listed foundation models, to the functions of kinds that use Bedrock', () => {
    const { bedrockStatements } = synth({ 'tickwork:bedrockModelIds': MODELS.join(',') });
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

  it('takes a comma-separated list or an array, without duplicates', () => {
    expect(parseBedrockModelIds(` ${MODELS[0]}, ${MODELS[1]},${MODELS[0]}`)).toEqual(MODELS);
    expect(parseBedrockModelIds(MODELS)).toEqual(MODELS);
    expect(parseBedrockModelIds(undefined)).toEqual([]);
  });
});
