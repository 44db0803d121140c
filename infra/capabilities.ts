/**
 * Each capability a job kind may declare (shared/kinds/capabilities.ts), mapped once to what its
 * function needs in AWS: the environment its provider reads and the IAM grants its adapter's calls
 * need, exact actions on exact resources. The stack applies the bindings of each function's kind in
 * one loop; a new capability is a new entry here, which the compiler asks for.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ENV, secretsPrefixFor } from '../shared/config.ts';
import type { CapabilityId } from '../shared/kinds/capabilities.ts';
import type { TableId } from '../shared/tables.ts';
import { acknowledgeWildcardResource, nagArn } from './nag.ts';
import type { TickworkFunction } from './tickwork-function.ts';

/** What a binding may read: the deployment's settings and the function it binds. */
export interface BindingContext {
  readonly stack: Stack;
  readonly stage: string;
  readonly fn: TickworkFunction;
  /** Hosts outbound requests may reach even if the guard would refuse them. */
  readonly allowedHosts: readonly string[];
  /**
   * Log groups Logs Insights queries may read (names; a trailing `*` names a prefix). Job configs name
   * their log groups after deployment, so the stack is told which ones it may grant: none by default.
   */
  readonly queryLogGroups: readonly string[];
  /** The tables of the stateful stack, by table id. */
  readonly tables: Readonly<Record<TableId, ITableV2>>;
  /** Bedrock foundation-model ids the functions may invoke; none by default. */
  readonly bedrockModelIds: readonly string[];
  /** Users' model function ARNs the functions may invoke; none by default. */
  readonly modelFunctionArns: readonly string[];
  /** Users' function ARNs task jobs may invoke; none by default. */
  readonly taskFunctionArns: readonly string[];
  /** ARNs of the event buses task jobs may put events on; none by default. */
  readonly eventBusArns: readonly string[];
}

/**
 * What DynamoCheckpointStore sends (a consistent GetItem, a conditional UpdateItem), only on items whose
 * key ends in `#checkpoint` or holds `#checkpoint#` (keyed checkpoints; the LeadingKeys condition).
 * Every job function also has GetItem and
 * UpdateItem on the whole jobs table for the run lifecycle, so today this statement adds no access; it
 * states what the capability needs by itself, so a narrower lifecycle grant cannot break checkpoints.
 */
export const CHECKPOINT_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

export type CapabilityBinding = (context: BindingContext) => void;

/**
 * The ARN pattern of the stage's secrets: job configs name secrets created after deployment, and
 * Secrets Manager appends a random suffix to every secret ARN, so even one known secret needs `*`.
 */
export function stageSecretsArn(stack: Stack, stage: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretsPrefixFor(stage)}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Grants `actions` on the stage's secrets to `fn`, and accepts the one wildcard that needs. */
export function grantStageSecrets(context: BindingContext, actions: readonly string[]): void {
  const { stack, stage, fn } = context;
  const arn = stageSecretsArn(stack, stage);
  fn.function.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [arn] }));
  fn.function.addEnvironment(ENV.secretsPrefix, secretsPrefixFor(stage));
  acknowledgeWildcardResource(
    fn.role,
    nagArn(stack, stack, arn),
    'Job configs name their secrets, which are created after deployment; the grant covers only this ' +
      `stage's prefix (${secretsPrefixFor(stage)}), and even one known secret needs a trailing wildcard ` +
      'because Secrets Manager appends a random suffix to every secret ARN.',
  );
}

/** The ARN of a log group (or, with a trailing `*`, of every group with that prefix). */
export function logGroupArn(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Logs Insights, read-only. StartQuery is the one call that names log groups, and IAM scopes it to them:
 * each group's ARN, and the same ARN with `:*`, the form IAM matches for log-group actions in some
 * policies (what follows the name is the group's own streams, which a query only reads). GetQueryResults
 * and StopQuery take a query id, and the service authorization reference lists no resource type for
 * them, so `*` is the only resource they can be granted on; they reach only queries whose id the caller
 * has, which here are the ones it started. No group configured: no grant at all.
 */
export function grantLogsQueries(context: BindingContext): void {
  const { stack, fn, queryLogGroups } = context;
  if (queryLogGroups.length === 0) return;
  const groups = queryLogGroups.flatMap((name) => {
    const arn = logGroupArn(stack, name);
    return [arn, `${arn}:*`];
  });
  fn.function.addToRolePolicy(new PolicyStatement({ actions: ['logs:StartQuery'], resources: groups }));
  fn.function.addToRolePolicy(
    new PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
  );
  for (const arn of groups.filter((group) => group.endsWith('*'))) {
    acknowledgeWildcardResource(
      fn.role,
      nagArn(stack, stack, arn),
      'StartQuery on a log group the deployment names (context queryLogGroups): the `:*` form is the ARN IAM ' +
        'matches for log-group actions, and a trailing `*` in a configured name is a prefix the deployment chose.',
    );
  }
  acknowledgeWildcardResource(
    fn.role,
    '*',
    'logs:GetQueryResults and logs:StopQuery support no resource-level permission (no resource type in the ' +
      'service authorization reference); they act on a query id the function got from its own StartQuery.',
  );
}

export const capabilityBindings: { readonly [C in CapabilityId]: CapabilityBinding } = {
  // Reads a secret's value at run time; nothing else of Secrets Manager.
  secrets: (context) => grantStageSecrets(context, ['secretsmanager:GetSecretValue']),
  // Outbound HTTP needs no AWS permission; in AWS it reaches only public https addresses unless allowed.
  http: ({ fn, allowedHosts }) => fn.function.addEnvironment(ENV.webhookAllowedHosts, allowedHosts.join(',')),
  // GetMetricData supports no resource-level permission (the service authorization reference lists no
  // resource type and no condition key for it), so `*` is the only resource it can be granted on. It reads
  // metric data; nothing else of CloudWatch is granted. The SDK finds the Region in Lambda's environment.
  metrics: ({ fn }) => {
    fn.function.addToRolePolicy(
      new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    acknowledgeWildcardResource(
      fn.role,
      '*',
      'cloudwatch:GetMetricData supports no resource-level permission (no resource type in the service ' +
        'authorization reference); it is the only CloudWatch action granted, and it only reads.',
    );
  },
  logs: grantLogsQueries,
  // The jobs table's name is in every function's environment already. `*#checkpoint` is a job's single
  // checkpoint, `*#checkpoint#*` its keyed ones (a sync job's connectors).
  checkpoints: ({ fn, tables }) =>
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: [...CHECKPOINT_ACTIONS],
        resources: [tables.jobs.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#checkpoint', '*#checkpoint#*'] },
        },
      }),
    ),
  // Budget counters are items of the jobs table, written with GetItem and UpdateItem: every job function
  // already holds exactly those on the jobs table (its run lifecycle needs them), so nothing is added.
  budgets: () => {},
  // Converse is authorized as bedrock:InvokeModel, granted on exactly the foundation models the deployment
  // lists (context `bedrockModelIds`); with none listed, no Bedrock permission at all.
  bedrock: ({ stack, fn, bedrockModelIds }) => {
    if (bedrockModelIds.length === 0) return;
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: bedrockModelIds.map((id) =>
          stack.formatArn({
            service: 'bedrock',
            account: '',
            resource: 'foundation-model',
            resourceName: id,
          }),
        ),
      }),
    );
  },
  // A synchronous Invoke of exactly the function ARNs the deployment lists (context `modelFunctionArns`);
  // an alias or version ARN is granted as written. With none listed, no invoke permission at all.
  modelFunctions: ({ fn, modelFunctionArns }) => {
    if (modelFunctionArns.length === 0) return;
    fn.function.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...modelFunctionArns] }),
    );
  },
  // The same, for the functions task jobs invoke (context `taskFunctionArns`): exactly those ARNs or nothing.
  taskFunctions: ({ fn, taskFunctionArns }) => {
    if (taskFunctionArns.length === 0) return;
    fn.function.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...taskFunctionArns] }),
    );
  },
  eventBuses: grantEventBuses,
};

/**
 * PutEvents on exactly the buses the deployment lists (the construct's `eventBuses`, the app's context
 * `tickwork:eventBusNames`). With none listed, no EventBridge permission.
 */
export function grantEventBuses({ fn, eventBusArns }: BindingContext): void {
  if (eventBusArns.length === 0) return;
  fn.function.addToRolePolicy(
    new PolicyStatement({ actions: ['events:PutEvents'], resources: [...eventBusArns] }),
  );
}
