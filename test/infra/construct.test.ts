/**
 * Tickwork as a construct in a team's own app: one stack, the construct with its tables, a user's
 * function, and two typed jobs (a task job on that function, a prompt job). The template deploys the
 * jobs through the custom resource, grants the task function's invoke on exactly the user's function,
 * and passes cdk-nag; a bad typed job or prop fails the synth, naming the job or prop, field and rule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskTarget, Tickwork, TickworkJobError, TickworkPropsError } from '../../cdk/index.ts';
import { addTickwork } from '../../infra/tickwork.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function userApp() {
  // Bundling is what the other infra tests check; this one is about the construct's resources.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'TeamStack', { env: { account: '111122223333', region: 'eu-central-1' } });
  const evalFn = new LambdaFunction(stack, 'EvalFunction', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ ok: true });'),
  });
  // The team's own function, not the construct's: its findings are the team's to settle.
  Validations.of(evalFn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "The test's stand-in for a team's function; Tickwork's own functions use roles of their own.",
  });
  const tickwork = new Tickwork(stack, 'Tickwork', { stage: 'team', runRetention: Duration.days(90) });
  return { app, stack, evalFn, tickwork };
}

describe('a team app embedding the Tickwork construct with two typed jobs', () => {
  let template: Template;
  let stack: Stack;
  let evalFnId: string;

  beforeAll(() => {
    const built = userApp();
    stack = built.stack;
    built.tickwork.addJob('nightly-eval', {
      kind: 'task',
      schedule: 'daily',
      timezone: 'Europe/Berlin',
      target: TaskTarget.lambda(built.evalFn),
    });
    built.tickwork.addJob('morning-digest', {
      kind: 'prompt',
      schedule: 'cron(0 9 ? * MON-FRI *)',
      prompt: 'Summarize the overnight alerts',
      target: { type: 'webhook', url: 'https://hooks.example.com/tickwork', signingSecret: 'hook-key' },
    });
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app, { verbose: true }));
    template = Template.fromStack(stack);
    evalFnId = stack.getLogicalId(built.evalFn.node.defaultChild as never);
  });

  it('Then one custom resource holds both jobs, managed by the stack, with the function ARN resolved at deploy', () => {
    const resources = template.findResources('Custom::TickworkJobs');
    expect(Object.keys(resources)).toHaveLength(1);
    const properties = Object.values(resources)[0]?.Properties as Record<string, unknown>;
    expect(properties.Source).toBe('stack TeamStack');
    // toJsonString: a JSON string whose function ARN is a reference to the user's function.
    const rendered = JSON.stringify(properties.Jobs);
    expect(rendered).toContain('nightly-eval');
    expect(rendered).toContain('morning-digest');
    expect(rendered).toContain(evalFnId);
    expect(rendered).toContain('Europe/Berlin');
  });

  it("Then the task function may invoke exactly the user's function, and no other role may", () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const grants = Object.entries(policies).flatMap(([id, policy]) =>
      ((policy.Properties.PolicyDocument.Statement as Statement[]) ?? [])
        .filter((statement) => JSON.stringify(statement.Resource).includes(evalFnId))
        .map((statement) => ({ id, statement })),
    );
    expect(grants).toHaveLength(1);
    expect(grants[0]?.id).toMatch(/^TickworkTaskFunction/);
    expect(grants[0]?.statement).toEqual({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: { 'Fn::GetAtt': [evalFnId, 'Arn'] },
    });
  });

  it('Then the handler and the Provider framework are deployed, and the tables live in the same stack', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tickwork-team-jobs-resource' });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tickwork-team-jobs-provider' });
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'tickwork-team-api',
      Environment: { Variables: Match.objectLike({ TICKWORK_RUN_RETENTION_DAYS: '90' }) },
    });
  });

  it('Then cdk-nag finds nothing unacknowledged', () => {
    const assembly = stack.node.root as App;
    expect(() => assembly.synth()).not.toThrow();
  });
});

describe('synth failing early', () => {
  it('Given a typed job with a bad schedule and config, Then addJob throws naming the job, the fields and the rules', () => {
    const { tickwork, evalFn } = userApp();
    expect(() =>
      tickwork.addJob('broken-eval', {
        kind: 'task',
        schedule: 'every tuesday',
        target: TaskTarget.lambda(evalFn, { timeoutSeconds: 100_000 }),
      }),
    ).toThrow(TickworkJobError);
    expect(() =>
      tickwork.addJob('broken-eval', {
        kind: 'task',
        schedule: 'every tuesday',
        target: TaskTarget.lambda(evalFn, { timeoutSeconds: 100_000 }),
      }),
    ).toThrow(
      /Tickwork job "broken-eval" \(TeamStack\/Tickwork\) is not a valid job: schedule: .*; config\.target\.timeoutSeconds: /,
    );
  });

  it('Given the same job name twice, Then the second addJob throws', () => {
    const { tickwork, evalFn } = userApp();
    tickwork.addJob('nightly-eval', { kind: 'task', schedule: 'daily', target: TaskTarget.lambda(evalFn) });
    expect(() =>
      tickwork.addJob('nightly-eval', { kind: 'task', schedule: 'daily', target: TaskTarget.lambda(evalFn) }),
    ).toThrow(/Tickwork job "nightly-eval" .* is added twice/);
  });

  it.each([
    ['stage', { stage: 'Prod' }, /Tickwork prop "stage" must match/],
    [
      'runRetention',
      { stage: 'team', runRetention: Duration.hours(36) },
      /Tickwork prop "runRetention" must be whole days from 1 to 3650; got "1 day 12 hours"/,
    ],
    [
      'webhookAllowedHosts',
      { stage: 'team', webhookAllowedHosts: ['https://hooks.example.com'] },
      /Tickwork prop "webhookAllowedHosts" entries must be bare host names/,
    ],
    [
      'allowedModelIds',
      { stage: 'team', allowedModelIds: ['*'] },
      /Tickwork prop "allowedModelIds" entries must be Bedrock foundation-model ids/,
    ],
  ])('Given a bad %s, Then the construct throws naming the prop and the rule', (_prop, props, message) => {
    const stack = new Stack(new App(), 'TeamStack');
    expect(() => new Tickwork(stack, 'Tickwork', props)).toThrow(TickworkPropsError);
    expect(() => new Tickwork(new Stack(new App(), 'Other'), 'Tickwork', props)).toThrow(message);
  });
});

describe('the jobsFile prop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-construct-jobs-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const jobsOf = (template: Template) => {
    const [resource] = Object.values(template.findResources('Custom::TickworkJobs')) as {
      Properties: Record<string, unknown>;
    }[];
    return resource?.Properties;
  };

  it("Given a jobs file with a stage override, Then its jobs, overridden for the construct's stage, are in the custom resource", () => {
    const path = file(
      'good.yaml',
      [
        '# reviewed jobs',
        'jobs:',
        '  - name: hourly-digest',
        '    kind: prompt',
        '    schedule: cron(0 * * * ? *)',
        '    config:',
        '      prompt: Digest of the last hour',
        '      target: {type: webhook, url: "https://hooks.example.com/digest", signingSecret: hook-key}',
        'stages:',
        '  team:',
        '    hourly-digest: {description: the team stage}',
        '',
      ].join('\n'),
    );
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TeamStack');
    new Tickwork(stack, 'Tickwork', { stage: 'team', jobsFile: path });
    const properties = jobsOf(Template.fromStack(stack));
    expect(JSON.stringify(properties)).toContain('hourly-digest');
    expect(JSON.stringify(properties)).toContain('the team stage');
  });

  it('Given a jobs file with a bad job, Then the construct throws naming the file, line, field and rule', () => {
    const path = file(
      'bad.yaml',
      [
        'jobs:',
        '  - name: hourly-digest',
        '    kind: prompt',
        '    schedule: every tuesday',
        '    config: {}',
        '',
      ].join('\n'),
    );
    const stack = new Stack(new App(), 'TeamStack');
    expect(() => new Tickwork(stack, 'Tickwork', { stage: 'team', jobsFile: path })).toThrow(
      TickworkPropsError,
    );
    expect(
      () => new Tickwork(new Stack(new App(), 'Other'), 'Tickwork', { stage: 'team', jobsFile: path }),
    ).toThrow(
      /Tickwork prop "jobsFile": .*bad\.yaml breaks \d+ rule\(s\):\n {2}.*bad\.yaml:4:\d+: jobs\[0\]\.schedule: /s,
    );
  });
  it("Given the project's app with -c jobsFile naming a bad file, Then addTickwork throws the file's problems before anything is synthesized", () => {
    const path = file('project-bad.yaml', ['jobs:', '  - name: Bad Name', '    kind: prompt', ''].join('\n'));
    const app = new App({ context: { jobsFile: path, 'aws:cdk:bundling-stacks': [] } });
    expect(() => addTickwork(app)).toThrow(/project-bad\.yaml:2:\d+: jobs\[0\]\.name: /);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
