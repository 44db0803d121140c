/**
 * Each capability a job kind may declare (shared/kinds/capabilities.ts), mapped once to what its
 * function needs in AWS: the environment its provider reads and the IAM grants its adapter's calls
 * need, exact actions on exact resources. The stack applies the bindings of each function's kind in
 * one loop; a new capability is a new entry here, which the compiler asks for.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ENV, secretsPrefixFor } from '../shared/config.ts';
import type { CapabilityId } from '../shared/kinds/capabilities.ts';
import { acknowledgeWildcardResource, nagArn } from './nag.ts';
import type { TickworkFunction } from './tickwork-function.ts';

/** What a binding may read: the deployment's settings and the function it binds. */
export interface BindingContext {
  readonly stack: Stack;
  readonly stage: string;
  readonly fn: TickworkFunction;
  /** Hosts outbound requests may reach even if the guard would refuse them. */
  readonly allowedHosts: readonly string[];
  /** Bedrock foundation-model ids the functions may invoke; none by default. */
  readonly bedrockModelIds: readonly string[];
  /** Users' model function ARNs the functions may invoke; none by default. */
  readonly modelFunctionArns: readonly string[];
}

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

export const capabilityBindings: { readonly [C in CapabilityId]: CapabilityBinding } = {
  // Reads a secret's value at run time; nothing else of Secrets Manager.
  secrets: (context) => grantStageSecrets(context, ['secretsmanager:GetSecretValue']),
  // Outbound HTTP needs no AWS permission; in AWS it reaches only public https addresses unless allowed.
  http: ({ fn, allowedHosts }) => fn.function.addEnvironment(ENV.webhookAllowedHosts, allowedHosts.join(',')),
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
};
