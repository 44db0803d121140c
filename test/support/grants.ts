/** The IAM statements the service stack gives each function's role, read from its synthesized template. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addTickwork } from '../../infra/tickwork.ts';
import { functionName } from '../../shared/functions.ts';

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/**
 * Synthesizes stage `qa` with `context` and answers, for a function id (`api`, a kind's id), its role's
 * statements that name an action of `service` (`lambda`, `bedrock`, `events`).
 */
export function roleStatements(
  context: Record<string, unknown>,
): (id: string, service: string) => Statement[] {
  // Bundling skipped: the grants do not depend on the bundles.
  const app = new App({ context: { stage: 'qa', 'aws:cdk:bundling-stacks': [], ...context } });
  const resources = Template.fromStack(addTickwork(app).service).toJSON().Resources as Resources;
  return (id, service) => {
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
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith(`${service}:`)));
  };
}
