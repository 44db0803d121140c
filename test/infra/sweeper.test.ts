/**
 * The sweeper in the stack (cdk/sweeper.ts): its function, the `rate(1 minute)` schedule that invokes it
 * (in the default group, with a role of its own that may invoke the sweeper and nothing else), and its
 * role's grants, checked exactly: a Query of the due index only, single-item reads and writes of the two
 * tables, an asynchronous Invoke of exactly the job functions. cdk-nag checks it too.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSweeper } from '../../cdk/sweeper.ts';
import { functionName } from '../../shared/functions.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

const JOB_FUNCTION_ARNS = [
  'arn:aws:lambda:eu-west-1:123456789012:function:tickwork-qa-prompt',
  'arn:aws:lambda:eu-west-1:123456789012:function:tickwork-qa-task',
];

let template: Template;
let resources: Record<string, Resource>;
let violations: unknown[];
let ids: { jobs: string; runs: string };

beforeAll(() => {
  // The grants and the schedule are the subject; bundling the handler would only cost time.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Sweeper', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = (id: string) =>
    new TableV2(stack, id, { partitionKey: { name: 'name', type: AttributeType.STRING } });
  const tables = { jobs: table('Jobs'), runs: table('Runs') };
  addSweeper(stack, {
    stage: 'qa',
    logRetention: 30,
    environment: { TICKWORK_STAGE: 'qa' },
    tables,
    jobFunctionArns: JOB_FUNCTION_ARNS,
  });
  violations = new AwsSolutionsChecks(app).validateScope(app).violations;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  ids = {
    jobs: stack.getLogicalId(tables.jobs.node.defaultChild as never),
    runs: stack.getLogicalId(tables.runs.node.defaultChild as never),
  };
});

function only(type: string): [string, Resource] {
  const found = Object.entries(resources).filter(([, resource]) => resource.Type === type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resource];
}

function statementsOfRole(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('the sweeper in the stack', () => {
  it('is a function of its own, named after the catalog entry', () => {
    const [, fn] = only('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ FunctionName: functionName('qa', 'sweeper'), Timeout: 60 });
  });

  it('is invoked every minute by a schedule in the default group, no retries, with a role that may invoke it only', () => {
    const [, schedule] = only('AWS::Scheduler::Schedule');
    const [fnId] = only('AWS::Lambda::Function');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    expect(schedule.Properties.GroupName).toBeUndefined();
    const roleRef = (schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn;
    const roleId = roleRef['Fn::GetAtt'][0];
    expect(resources[roleId]?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          Principal: { Service: 'scheduler.amazonaws.com' },
        },
      ],
    });
    expect(statementsOfRole(roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': [fnId, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId, 'Arn'] }, ':*']] },
        ],
      },
    ]);
  });

  it("grants the function's role exactly what a sweep does", () => {
    const [, fn] = only('AWS::Lambda::Function');
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    const grants = statementsOfRole(roleId).filter((statement) =>
      [statement.Action]
        .flat()
        .some((action) => action.startsWith('dynamodb:') || action === 'lambda:InvokeFunction'),
    );
    expect(grants).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          { 'Fn::Join': ['', [arn(ids.jobs), '/index/jobs-by-due']] },
          { 'Fn::Join': ['', [arn(ids.jobs), '/index/jobs-by-name']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arn(ids.jobs),
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arn(ids.runs),
      },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: JOB_FUNCTION_ARNS },
    ]);
  });

  it('passes cdk-nag (every wildcard acknowledged with its reason)', () => {
    expect(violations).toEqual([]);
  });
});
