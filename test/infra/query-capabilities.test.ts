/**
 * The grants of the `metrics` and `logs` capabilities. No registered kind declares them yet (the
 * telemetry kind will), so each binding is applied here to a function of its own in a bare stack, and
 * the role's statements are checked exactly; cdk-nag checks it, so every wildcard must be acknowledged.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type BindingContext, capabilityBindings } from '../../infra/capabilities.ts';
import { ContextError, parseQueryLogGroups } from '../../infra/context.ts';
import { TickworkFunction } from '../../infra/tickwork-function.ts';
import type { CapabilityId } from '../../shared/kinds/capabilities.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The statements of a fresh function's role with the binding of `capability` applied, after a synth with cdk-nag. */
function statementsWith(
  capability: CapabilityId | undefined,
  queryLogGroups: readonly string[],
): Statement[] {
  // The grants are the subject; bundling the handler would only cost time.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Grants', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new TickworkFunction(stack, 'Fn', { stage: 'qa', functionId: 'prompt', environment: {} });
  const table = (id: string) =>
    new TableV2(stack, id, { partitionKey: { name: 'name', type: AttributeType.STRING } });
  const tables = { jobs: table('Jobs'), runs: table('Runs') };
  const context: BindingContext = {
    stack,
    stage: 'qa',
    fn,
    allowedHosts: [],
    queryLogGroups,
    tables,
    bedrockModelIds: [],
    modelFunctionArns: [],
    taskFunctionArns: [],
    eventBusArns: [],
  };
  if (capability !== undefined) capabilityBindings[capability](context);
  // Every wildcard a binding grants must carry its acknowledgment (with the reason) for cdk-nag.
  expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

/** What the binding adds to the statements every function has (its logs, tracing, failure destination). */
function grantsOf(capability: CapabilityId, queryLogGroups: readonly string[]): Statement[] {
  const base = statementsWith(undefined, []);
  const all = statementsWith(capability, queryLogGroups);
  expect(all.slice(0, base.length)).toEqual(base);
  return all.slice(base.length);
}

/** A log group ARN as the template writes it: the partition stays a reference. */
const logGroupArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:123456789012:log-group:${name}`]],
});

describe('metrics capability grants', () => {
  it('Given the binding, Then the role may call GetMetricData (on *, the only resource it supports) and nothing else', () => {
    expect(grantsOf('metrics', [])).toEqual([
      { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
    ]);
  });
});

describe('logs capability grants', () => {
  it('Given log groups, Then StartQuery is scoped to them, and only the query-id calls are on *', () => {
    const statements = grantsOf('logs', ['/aws/bedrock/invocations', 'app-*']);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'logs:StartQuery',
        Resource: [
          logGroupArn('/aws/bedrock/invocations'),
          logGroupArn('/aws/bedrock/invocations:*'),
          logGroupArn('app-*'),
          logGroupArn('app-*:*'),
        ],
      },
      { Effect: 'Allow', Action: ['logs:GetQueryResults', 'logs:StopQuery'], Resource: '*' },
    ]);
  });

  it('Given no log groups, Then nothing of CloudWatch Logs is granted', () => {
    expect(grantsOf('logs', [])).toEqual([]);
  });
});

describe('query log groups from context', () => {
  it.each([
    [undefined, []],
    ['/aws/bedrock/invocations, app-* ', ['/aws/bedrock/invocations', 'app-*']],
    [
      ['/a', '/a', '/b'],
      ['/a', '/b'],
    ],
  ])('parses %j', (value, expected) => {
    expect(parseQueryLogGroups(value)).toEqual(expected);
  });

  it.each([['*'], ['bad name'], ['/a*b'], [42], [[42]]])('refuses %j, naming the rule', (value) => {
    expect(() => parseQueryLogGroups(value)).toThrow(ContextError);
    expect(() => parseQueryLogGroups(value)).toThrow(/queryLogGroups/);
  });
});
