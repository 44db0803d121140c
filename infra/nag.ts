/**
 * Acknowledging cdk-nag findings. cdk-nag 3 is a policy validation plugin that reports one finding per
 * wildcard resource (`AwsSolutions-IAM5[Resource::<what>]`) and matches acknowledgments by that exact id,
 * so each acknowledgment names the one wildcard it accepts and says why.
 */
import { Stack, Validations } from 'aws-cdk-lib';
// Internal to cdk-nag (pinned), used on purpose: it is the function that writes the `<what>` of a finding,
// so an acknowledgment built with it matches the finding whatever the stack's environment or references.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * How a finding on a policy in `consumer` prints `arn`, an ARN of `owner`: e.g. `<PromptFunction0D9EEE9C.Arn>`,
 * `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/...`, or, when `owner` lives in
 * another stack, the name of the export the consumer imports it through.
 */
export function nagArn(consumer: Stack, owner: IConstruct, arn: string): string {
  const producer = Stack.of(owner);
  // exportValue returns the import of the very export the automatic cross-stack reference uses.
  const seen = producer === consumer ? arn : producer.exportValue(arn);
  return flattenCfnReference(consumer.resolve(seen));
}

/**
 * Accepts one wildcard resource in the IAM policies at or below `scope` (a role, or one policy).
 * @param resource the resource as the finding prints it (see {@link nagArn}), e.g. `<JobsTable1970BC16.Arn>/index/*`
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
