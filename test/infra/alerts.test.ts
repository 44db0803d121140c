/**
 * The alerts topic in the synthesized template: named from the stage, encrypted with a rotated key that
 * CloudWatch alarms may use, TLS enforced by its policy, sns:Publish granted on exactly it to exactly the
 * job functions (and to a function the app adds with grantAlerts), its ARN in their environment, and
 * cdk-nag clean.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tickwork } from '../../cdk/index.ts';
import { jobFunctionDefinitions } from '../../shared/functions.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('the alerts topic', () => {
  let app: App;
  let stack: Stack;
  let template: Template;
  let topicId: string;
  let keyId: string;
  let sweeperId: string;

  beforeAll(() => {
    app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new Stack(app, 'TeamStack', { env: { account: '111122223333', region: 'eu-central-1' } });
    const tickwork = new Tickwork(stack, 'Tickwork', { stage: 'team' });
    // Stands in for the sweeper the lead wires: any function of the app the alerts are granted to.
    const sweeper = new LambdaFunction(stack, 'Sweeper', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({});'),
    });
    Validations.of(sweeper).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "The test's stand-in for a function of the app; Tickwork's own functions use roles of their own.",
    });
    tickwork.grantAlerts(sweeper);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    template = Template.fromStack(stack);
    topicId = stack.getLogicalId(tickwork.alerts.topic.node.defaultChild as never);
    keyId = stack.getLogicalId(tickwork.alerts.masterKey.node.defaultChild as never);
    sweeperId = stack.getLogicalId(sweeper.role?.node.defaultChild as never);
  });

  it('Then it is named from the stage and encrypted with a rotated key that CloudWatch of this account may use', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'tickwork-team-alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          }),
        ]),
      },
    });
  });

  it('Then its policy refuses every request not made over TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { Ref: topicId },
          }),
        ]),
      },
    });
  });

  it("Then sns:Publish is granted on exactly the topic, to exactly the job functions, the stack's sweeper and the granted function", () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const publishers = Object.entries(policies).flatMap(([id, policy]) =>
      ((policy.Properties.PolicyDocument.Statement as Statement[]) ?? [])
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('sns:')))
        .map((statement) => ({ id, statement, roles: policy.Properties.Roles as { Ref: string }[] })),
    );
    // The job functions (a run's end), the stack's sweeper (late and missed jobs, reminders), the app's own.
    expect(publishers).toHaveLength(jobFunctionDefinitions.length + 2);
    for (const { statement } of publishers) {
      expect(statement).toEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    }
    const grantees = publishers.map(({ id }) => id).sort();
    for (const definition of jobFunctionDefinitions) {
      const prefix = `Tickwork${definition.id.charAt(0).toUpperCase()}${definition.id.slice(1)}Function`;
      expect(
        grantees.some((id) => id.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(publishers.some(({ roles }) => roles.some((role) => role.Ref === sweeperId))).toBe(true);
    expect(grantees.some((id) => id.startsWith('TickworkSweeperFunction'))).toBe(true);
    // And the key's use for it, on exactly the topic's key.
    const keyUses = Object.values(policies).flatMap((policy) =>
      ((policy.Properties.PolicyDocument.Statement as Statement[]) ?? []).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')),
      ),
    );
    expect(keyUses.length).toBeGreaterThanOrEqual(publishers.length);
    for (const statement of keyUses) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
    }
    // The API publishes nothing.
    expect(grantees.some((id) => id.startsWith('TickworkApiFunction'))).toBe(false);
  });

  it("Then each publisher has the topic's ARN in its environment, and the API has not", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const withTopic = functions.filter(
      (fn) =>
        JSON.stringify(fn.Properties?.Environment?.Variables?.TICKWORK_ALERTS_TOPIC_ARN) ===
        JSON.stringify({ Ref: topicId }),
    );
    expect(withTopic).toHaveLength(jobFunctionDefinitions.length + 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'tickwork-team-api',
      Environment: {
        Variables: Match.not(Match.objectLike({ TICKWORK_ALERTS_TOPIC_ARN: Match.anyValue() })),
      },
    });
  });

  it('Then cdk-nag finds nothing unacknowledged', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
