import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobFunctionId } from '../../infra/service-stack.ts';
import { addTickwork, type TickworkStacks } from '../../infra/tickwork.ts';
import { apiRoutes } from '../../shared/api/routes.ts';
import {
  ENV,
  loadApiConfig,
  loadHttpConfig,
  loadJobFunctionConfig,
  loadSecretsConfig,
} from '../../shared/config.ts';
import { type FunctionDefinition, functionDefinitions, functionName } from '../../shared/functions.ts';
import type { CapabilityId } from '../../shared/kinds/capabilities.ts';
import { kindDefinition } from '../../shared/kinds/registry.ts';
import { tableName } from '../../shared/tables.ts';

// One synthesis of the whole app (both stacks, both bundles) shared by every test in this file.
const STAGE = 'qa';
// The jobs custom resource's function is deployed only with jobs as code, which this app (no jobs file)
// has none of; test/infra/construct.test.ts covers it.
const definitions = (Object.values(functionDefinitions) as FunctionDefinition[]).filter(
  (definition) => definition.id !== 'jobs-resource',
);
const jobDefinitions = definitions.filter(
  (definition): definition is FunctionDefinition & { id: JobFunctionId; jobKind: string } =>
    definition.jobKind !== undefined,
);

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let app: App;
let stacks: TickworkStacks;
let template: Template;
let resources: Record<string, Resource>;
let assemblyDirectory: string;

beforeAll(() => {
  app = new App({ context: { stage: STAGE, webhookAllowedHosts: 'hooks.example.com,Alerts.Example.org' } });
  stacks = addTickwork(app);
  template = Template.fromStack(stacks.service);
  resources = template.toJSON().Resources;
  assemblyDirectory = app.synth().directory;
});

function logicalIdOf(type: string, properties: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: properties }));
  expect(found, `${type} ${JSON.stringify(properties)}`).toHaveLength(1);
  return found[0] as string;
}

const functionId = (id: FunctionDefinition['id']) =>
  logicalIdOf('AWS::Lambda::Function', { FunctionName: functionName(STAGE, id) });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy attached to the role. */
function statementsOf(roleLogicalId: string): Statement[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function resource(logicalId: string): Resource {
  const found = resources[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the service template`);
  return found;
}

function roleOf(functionLogicalId: string): string {
  const role = (resource(functionLogicalId).Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ];
  return role[0];
}

/** The resources the role may use for an action. */
function resourcesFor(statements: Statement[], action: string): unknown[] {
  return statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource));
}

/**
 * A function's environment as the handler would see it: literal values as they are, CloudFormation
 * references rendered as readable placeholders (`PromptFunction1234.Arn`, `import:<export>`).
 */
function renderedEnvironment(functionLogicalId: string): Record<string, string> {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const intrinsic = value as Record<string, unknown>;
    if ('Fn::Join' in intrinsic) {
      const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Fn::GetAtt' in intrinsic) return (intrinsic['Fn::GetAtt'] as string[]).join('.');
    if ('Fn::ImportValue' in intrinsic) return `import:${intrinsic['Fn::ImportValue']}`;
    if ('Ref' in intrinsic) return `ref:${intrinsic.Ref}`;
    throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
  };
  const variables = (
    resource(functionLogicalId).Properties.Environment as { Variables: Record<string, unknown> }
  ).Variables;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, render(value)]));
}

/** Every function that starts runs names the job functions by their fixed names (no attribute references: no cycle). */
const expectedJobFunctionArns = Object.fromEntries(
  jobDefinitions.map((definition) => [
    definition.jobKind,
    `arn:ref:AWS::Partition:lambda:ref:AWS::Region:ref:AWS::AccountId:function:${functionName(STAGE, definition.id)}`,
  ]),
);

describe('ServiceStack: functions', () => {
  it('deploys every catalog function, and only those', () => {
    template.resourceCountIs('AWS::Lambda::Function', definitions.length);
  });

  it.each(definitions)('deploys $id with our Lambda defaults and its catalog settings', (definition) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName(STAGE, definition.id),
      Description: definition.description,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: definition.timeoutSeconds,
      MemorySize: definition.memorySize,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it.each(definitions)('logs $id to its own log group, kept one month', (definition) => {
    const logGroup = logicalIdOf('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/lambda/${functionName(STAGE, definition.id)}`,
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName(STAGE, definition.id),
      LoggingConfig: { LogGroup: { Ref: logGroup } },
    });
    // The role writes only to that log group (no AWSLambdaBasicExecutionRole).
    expect(resourcesFor(statementsOf(roleOf(functionId(definition.id))), 'logs:PutLogEvents')).toEqual([
      arnOf(logGroup),
    ]);
  });

  it.each(definitions)(
    'bundles $id as minified ESM with the require banner and a source map',
    (definition) => {
      // Given the function's code asset (its S3 key is the asset hash)
      const code = resource(functionId(definition.id)).Properties.Code as { S3Key: string };
      const manifest = JSON.parse(
        readFileSync(join(assemblyDirectory, `${stacks.service.artifactId}.assets.json`), 'utf8'),
      ) as { files: Record<string, { source: { path: string } }> };
      const asset = manifest.files[code.S3Key.replace(/\.zip$/, '')];
      if (asset === undefined) throw new Error(`no asset for ${code.S3Key}`);
      const directory = join(assemblyDirectory, asset.source.path);
      const bundle = readFileSync(join(directory, 'index.mjs'), 'utf8');
      // Then it is one ESM file that starts with the banner, exports the handler, is minified and has its map
      expect(
        bundle.startsWith("import{createRequire}from'module';const require=createRequire(import.meta.url);"),
      ).toBe(true);
      expect(bundle).toMatch(/export\s*\{[^}]*as handler\s*\}/);
      expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
      expect(existsSync(join(directory, 'index.mjs.map'))).toBe(true);
    },
  );

  it('gives the API function exactly what loadApiConfig reads', () => {
    // Given the API function's environment in the template
    const env = renderedEnvironment(functionId('api'));
    // Then it holds exactly the API's variables, and the API's own loader accepts it
    expect(Object.keys(env).sort()).toEqual(
      [
        ENV.stage,
        ENV.mode,
        ENV.jobsTable,
        ENV.runsTable,
        ENV.scheduleGroupPrefix,
        ENV.legacyScheduleGroup,
        ENV.schedulerRoleArn,
        ENV.schedulerDeadLetterArn,
        ENV.jobFunctionArns,
        ENV.runRetentionDays,
        ENV.asyncRetryDelaysMs,
        ENV.secretsPrefix,
        'NODE_OPTIONS',
      ].sort(),
    );
    const schedulerRole = logicalIdOf('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
      // (The sweeper's schedule has a role of its own: test/infra/sweeper.test.ts.)
      Description: Match.stringLikeRegexp('job functions'),
    });
    const schedulerQueue = logicalIdOf('AWS::SQS::Queue', { QueueName: `tickwork-${STAGE}-scheduler-dlq` });
    expect(loadApiConfig(env)).toEqual({
      stage: STAGE,
      mode: 'aws',
      jobsTable: expect.stringMatching(/^import:Tickwork-qa-Stateful:ExportsOutputRefJobsTable/),
      runsTable: expect.stringMatching(/^import:Tickwork-qa-Stateful:ExportsOutputRefRunsTable/),
      scheduleGroupPrefix: `tickwork-${STAGE}`,
      legacyScheduleGroup: `tickwork-${STAGE}`,
      schedulerRoleArn: `${schedulerRole}.Arn`,
      schedulerDeadLetterArn: `${schedulerQueue}.Arn`,
      jobFunctionArns: expectedJobFunctionArns,
      runRetentionDays: 30,
      retryPolicy: { delaysMs: [60_000, 120_000] },
      logLevel: 'info',
      logFormat: 'json',
    });
    // The API checks that secrets exist (a warning on create) under the stage's prefix.
    expect(loadSecretsConfig(env, { stage: STAGE }).secretsPrefix).toBe(`tickwork/${STAGE}/`);
  });

  it.each(jobDefinitions)(
    'gives the $id function exactly what its config and capabilities read',
    (definition) => {
      const env = renderedEnvironment(functionId(definition.id));
      const capabilityVariables: Record<CapabilityId, string[]> = {
        secrets: [ENV.secretsPrefix],
        http: [ENV.webhookAllowedHosts],
        // The SDK clients find their Region and endpoint themselves; these capabilities add grants only.
        metrics: [],
        logs: [],
        checkpoints: [],
        budgets: [],
        bedrock: [],
        modelFunctions: [],
        taskFunctions: [],
        eventBuses: [],
      };
      const declared = kindDefinition(definition.jobKind).capabilities;
      expect(Object.keys(env).sort()).toEqual(
        [
          ENV.stage,
          ENV.mode,
          ENV.jobsTable,
          ENV.runsTable,
          ENV.runRetentionDays,
          ENV.asyncRetryDelaysMs,
          ENV.jobFunctionArns,
          // Every job function may change its job's health, which is alerted (cdk/alerts.ts).
          ENV.alertsTopicArn,
          ...declared.flatMap((capability) => capabilityVariables[capability]),
          'NODE_OPTIONS',
        ].sort(),
      );
      expect(loadJobFunctionConfig(env, definition)).toEqual({
        stage: STAGE,
        mode: 'aws',
        jobsTable: expect.stringMatching(/^import:Tickwork-qa-Stateful:ExportsOutputRefJobsTable/),
        runsTable: expect.stringMatching(/^import:Tickwork-qa-Stateful:ExportsOutputRefRunsTable/),
        runRetentionDays: 30,
        timeoutSeconds: definition.timeoutSeconds,
        retryPolicy: { delaysMs: [60_000, 120_000] },
        jobFunctionArns: expectedJobFunctionArns,
        logLevel: 'info',
        logFormat: 'json',
      });
      if (declared.includes('http')) {
        expect(loadHttpConfig(env)).toEqual({ allowedHosts: ['hooks.example.com', 'alerts.example.org'] });
      }
      if (declared.includes('secrets')) {
        expect(loadSecretsConfig(env, { stage: STAGE })).toEqual({
          secretsPrefix: `tickwork/${STAGE}/`,
          secretsFile: undefined,
        });
      }
    },
  );

  it.each(jobDefinitions)(
    'sends failed async invocations of $id to the failure queue after 2 retries or 6 hours',
    (definition) => {
      const queue = logicalIdOf('AWS::SQS::Queue', { QueueName: `tickwork-${STAGE}-job-failures` });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId(definition.id) },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: arnOf(queue) } },
      });
    },
  );

  it('configures async failure handling only on job functions (the API is invoked synchronously)', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', jobDefinitions.length);
  });
});

describe('ServiceStack: HTTP API', () => {
  it('creates exactly the shared routes', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', apiRoutes.length);
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(apiRoutes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it.each(apiRoutes)('requires IAM authorization on $method $path', (route) => {
    const integration = logicalIdOf('AWS::ApiGatewayV2::Integration', {});
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `${route.method} ${route.path}`,
      AuthorizationType: 'AWS_IAM',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
    });
  });

  it('proxies to the API function with payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: arnOf(functionId('api')),
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: `tickwork-${STAGE}-api`,
      ProtocolType: 'HTTP',
    });
  });

  it('lets only this API invoke the API function', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(functionId('api')),
      Principal: 'apigateway.amazonaws.com',
      SourceArn: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf('AWS::ApiGatewayV2::Api', {}) }, '/*/*/*'])],
      },
    });
  });

  it('auto-deploys the $default stage with access logs', () => {
    const accessLogs = logicalIdOf('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/apigateway/tickwork-${STAGE}-api`,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: arnOf(accessLogs),
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
  });
});

describe('ServiceStack: scheduling and dead letters', () => {
  it("creates one schedule group per kind, and keeps the stage's old single group (logical id unchanged)", () => {
    const groups = Object.values(template.findResources('AWS::Scheduler::ScheduleGroup')).map(
      (group) => group.Properties.Name,
    );
    expect(groups.sort()).toEqual(
      [
        `tickwork-${STAGE}`,
        ...jobDefinitions.map((definition) => `tickwork-${STAGE}-${definition.jobKind}`),
      ].sort(),
    );
    // The id of the single group of earlier versions: CloudFormation keeps it, and its schedules, through
    // the upgrade until reconcile has moved them.
    expect(logicalIdOf('AWS::Scheduler::ScheduleGroup', { Name: `tickwork-${STAGE}` })).toMatch(
      /^ScheduleGroup/,
    );
  });

  it.each([`tickwork-${STAGE}-scheduler-dlq`, `tickwork-${STAGE}-job-failures`])(
    'keeps %s encrypted, SSL-only, for 14 days',
    (queueName) => {
      const queue = logicalIdOf('AWS::SQS::Queue', {
        QueueName: queueName,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    },
  );

  it('lets Scheduler of this account only assume the scheduler role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
  });

  it('lets the scheduler role invoke only the job functions and send only to the scheduler DLQ', () => {
    const role = logicalIdOf('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
      // (The sweeper's schedule has a role of its own: test/infra/sweeper.test.ts.)
      Description: Match.stringLikeRegexp('job functions'),
    });
    const statements = statementsOf(role);
    expect(new Set(statements.flatMap((s) => asList(s.Action)))).toEqual(
      new Set(['lambda:InvokeFunction', 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']),
    );
    const jobArns = jobDefinitions.flatMap((definition) => {
      const id = functionId(definition.id);
      return [arnOf(id), { 'Fn::Join': ['', [arnOf(id), ':*']] }];
    });
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual(jobArns);
    const dlq = logicalIdOf('AWS::SQS::Queue', { QueueName: `tickwork-${STAGE}-scheduler-dlq` });
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([arnOf(dlq)]);
  });
});

describe('ServiceStack: least privilege', () => {
  const scheduleArn = (group: string) => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':scheduler:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:schedule/${group}/*`,
      ],
    ],
  });
  const kindGroups = jobDefinitions.map((definition) => `tickwork-${STAGE}-${definition.jobKind}`);

  it("lets the API function manage schedules only in its kinds' groups, and only delete in the old group", () => {
    const statements = statementsOf(roleOf(functionId('api')));
    for (const action of ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:GetSchedule']) {
      expect(resourcesFor(statements, action), action).toEqual(kindGroups.map(scheduleArn));
    }
    expect(resourcesFor(statements, 'scheduler:DeleteSchedule')).toEqual(
      [...kindGroups, `tickwork-${STAGE}`].map(scheduleArn),
    );
    // ListSchedules supports no resource-level permissions; it is the only scheduler action on "*".
    expect(resourcesFor(statements, 'scheduler:ListSchedules')).toContain('*');
    const starActions = statements
      .filter((s) => asList(s.Resource).includes('*'))
      .flatMap((s) => asList(s.Action));
    expect(new Set(starActions)).toEqual(
      new Set(['scheduler:ListSchedules', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
  });

  it('lets the API function pass only the scheduler role, and only to Scheduler', () => {
    const statements = statementsOf(roleOf(functionId('api')));
    const passRole = statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
    const schedulerRole = logicalIdOf('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
      // (The sweeper's schedule has a role of its own: test/infra/sweeper.test.ts.)
      Description: Match.stringLikeRegexp('job functions'),
    });
    expect(passRole).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: arnOf(schedulerRole),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it('lets the API function invoke the job functions (manual runs) and nothing else', () => {
    const statements = statementsOf(roleOf(functionId('api')));
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual(
      jobDefinitions.flatMap((definition) => {
        const id = functionId(definition.id);
        return [arnOf(id), { 'Fn::Join': ['', [arnOf(id), ':*']] }];
      }),
    );
  });

  /** The DynamoDB actions a role may take, per table (`jobs`/`runs`), and every table resource they name. */
  function tableAccess(statements: Statement[]) {
    const access: Record<string, Set<string>> = {};
    const arns: string[] = [];
    for (const statement of statements) {
      const actions = asList(statement.Action).filter((action) => action.startsWith('dynamodb:'));
      if (actions.length === 0) continue;
      for (const resource of asList(statement.Resource)) {
        const text = JSON.stringify(resource);
        arns.push(text);
        const table = text.includes('JobsTable') ? 'jobs' : text.includes('RunsTable') ? 'runs' : text;
        access[table] ??= new Set();
        for (const action of actions) access[table].add(action);
      }
    }
    return { access, arns };
  }

  it.each<[FunctionDefinition['id'], string[], string[]]>([
    ['prompt', ['GetItem', 'UpdateItem'], ['GetItem', 'PutItem', 'UpdateItem']],
    ['telemetry', ['GetItem', 'UpdateItem'], ['GetItem', 'PutItem', 'UpdateItem']],
    // Its budget counters are items of the jobs table: still GetItem and UpdateItem only.
    ['calibration', ['GetItem', 'UpdateItem'], ['GetItem', 'PutItem', 'UpdateItem']],
    // Its targets are the user's function, an HTTP endpoint and an event bus: no table access of its own.
    ['task', ['GetItem', 'UpdateItem'], ['GetItem', 'PutItem', 'UpdateItem']],
    // The status page reads run states (jobs) and latest runs (runs) with one BatchGetItem each.
    // Its keyed checkpoints (one per connector) are items of the jobs table too.
    ['sync', ['GetItem', 'UpdateItem'], ['GetItem', 'PutItem', 'UpdateItem']],
    [
      'api',
      ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      ['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
    ],
  ])('grants %s exactly the item actions its adapters call: jobs %j, runs %j', (id, jobs, runs) => {
    // Given the function's role
    const { access, arns } = tableAccess(statementsOf(roleOf(functionId(id))));
    // Then it may use only the two tables of its stage (and their indexes), each with exactly these actions:
    // no Scan, no batch writes, no DeleteItem on the run history (TTL removes it), no table administration
    expect(Object.keys(access).sort()).toEqual(['jobs', 'runs']);
    expect([...(access.jobs ?? [])].sort()).toEqual(jobs.map((action) => `dynamodb:${action}`));
    expect([...(access.runs ?? [])].sort()).toEqual(runs.map((action) => `dynamodb:${action}`));
    expect(arns.every((arn) => arn.includes('Tickwork-qa-Stateful:'))).toBe(true);
    expect(arns.filter((arn) => arn.includes('/index/*'))).toHaveLength(2);
  });

  it('grants the sweeper a Query of the due, alerts-due and job-list indexes only, and single items of both tables', () => {
    const { access, arns } = tableAccess(statementsOf(roleOf(functionId('sweeper'))));
    expect(Object.keys(access).sort()).toEqual(['jobs', 'runs']);
    // DeleteItem: the reminder pass drops the alert record of a job that is gone. PutItem: the due index
    // fill's record, and a run state for a job stored before run states (shared/health/fill.ts).
    expect([...(access.jobs ?? [])].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect([...(access.runs ?? [])].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(arns.filter((arn) => arn.includes('/index/')).sort()).toEqual([
      expect.stringContaining('/index/alerts-due'),
      expect.stringContaining('/index/jobs-by-due'),
      expect.stringContaining('/index/jobs-by-name'),
    ]);
  });

  it('covers every catalog function in the table-access expectations', () => {
    expect(definitions.map((definition) => definition.id).sort()).toEqual([
      'api',
      'calibration',
      'prompt',
      'sweeper',
      'sync',
      'task',
      'telemetry',
    ]);
  });

  it('lets the telemetry function write only checkpoint items through its checkpoints grant', () => {
    // Given the telemetry function's role
    const statements = statementsOf(roleOf(functionId('telemetry')));
    // Then one statement carries exactly the checkpoint store's calls, on the jobs table, for keys
    // `*#checkpoint` (its watermark) and `*#checkpoint#*` (keyed checkpoints)
    const scoped = statements.filter((statement) => statement.Condition !== undefined);
    expect(scoped).toHaveLength(1);
    expect(asList(scoped[0]?.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(scoped[0]?.Resource)).toContain('JobsTable');
    expect(JSON.stringify(scoped[0]?.Resource)).not.toContain('index');
    expect(scoped[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#checkpoint', '*#checkpoint#*'] },
    });
    // And the prompt function, which declares no checkpoints, has no such statement
    expect(statementsOf(roleOf(functionId('prompt'))).filter((statement) => statement.Condition)).toEqual([]);
  });

  it.each(jobDefinitions)('lets $id read only the secrets under tickwork/<stage>/', (definition) => {
    const statements = statementsOf(roleOf(functionId(definition.id)));
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            `:secret:tickwork/${STAGE}/*`,
          ],
        ],
      },
    ]);
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions.filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual([]);
  });

  it("lets the API see whether a stage's secret exists, never read its value", () => {
    const statements = statementsOf(roleOf(functionId('api')));
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(resourcesFor(statements, 'secretsmanager:DescribeSecret')).toEqual(
      resourcesFor(statementsOf(roleOf(functionId('prompt'))), 'secretsmanager:GetSecretValue'),
    );
    const actions = statements
      .flatMap((s) => asList(s.Action))
      .filter((a) => a.startsWith('secretsmanager:'));
    expect(actions).toEqual(['secretsmanager:DescribeSecret']);
  });

  it('attaches no managed policies to any role', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    // One per function, the job functions' scheduler role, the sweeper schedule's role.
    expect(roles).toHaveLength(definitions.length + 2);
    expect(roles.filter((role) => role.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  });

  it('grants no wildcard actions anywhere', () => {
    const actions = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((s) => asList(s.Action));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });
});

describe('Tickwork app', () => {
  it('names both stacks after the stage', () => {
    expect(stacks.stateful.stackName).toBe(`Tickwork-${STAGE}-Stateful`);
    expect(stacks.service.stackName).toBe(`Tickwork-${STAGE}-Service`);
  });

  it('puts the stage in every resource name', () => {
    const names = Object.values(resources).flatMap((resource) =>
      ['FunctionName', 'QueueName', 'LogGroupName', 'Name', 'TableName']
        .map((key) => resource.Properties?.[key])
        .filter((name): name is string => typeof name === 'string'),
    );
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names.filter((name) => !name.includes(`tickwork-${STAGE}`))).toEqual([]);
    const tables = Template.fromStack(stacks.stateful).findResources('AWS::DynamoDB::GlobalTable');
    expect(Object.values(tables).map((table) => table.Properties.TableName)).toEqual([
      tableName(STAGE, 'jobs'),
      tableName(STAGE, 'runs'),
    ]);
  });

  it('outputs the API URL, the schedule groups and the dead-letter queue URLs', () => {
    const kindGroupNames = jobDefinitions.map((definition) => `tickwork-${STAGE}-${definition.jobKind}`);
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('ScheduleGroupNames', { Value: kindGroupNames.join(',') });
    template.hasOutput('SchedulerDeadLetterQueueUrl', {
      Value: { Ref: logicalIdOf('AWS::SQS::Queue', { QueueName: `tickwork-${STAGE}-scheduler-dlq` }) },
    });
    template.hasOutput('JobFailureQueueUrl', {
      Value: { Ref: logicalIdOf('AWS::SQS::Queue', { QueueName: `tickwork-${STAGE}-job-failures` }) },
    });
  });

  it('passes the cdk-nag AwsSolutions checks with no unacknowledged finding', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    for (const stack of [stacks.stateful, stacks.service]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });

  it('records a reason for every acknowledged finding in the template', () => {
    const acknowledged = Object.values(resources).flatMap(
      (resource) =>
        (resource.Metadata?.cdk_nag as { rules_to_suppress: { id: string; reason: string }[] } | undefined)
          ?.rules_to_suppress ?? [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-(IAM5\[Resource::.+\]|SQS3)$/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
  });
});

describe('Tickwork app: run retention from context', () => {
  it('gives every function the retention set with -c runRetentionDays', () => {
    // Given a deployment with a retention other than the default
    const custom = addTickwork(new App({ context: { stage: 'ret', runRetentionDays: '90' } }));
    const functions = Template.fromStack(custom.service).findResources('AWS::Lambda::Function');
    // Then each function reads 90 days (not the default 30) from its environment
    const retention = Object.values(functions).map(
      (fn) =>
        (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables[
          ENV.runRetentionDays
        ],
    );
    expect(retention).toEqual(definitions.map(() => '90'));
  });
});
