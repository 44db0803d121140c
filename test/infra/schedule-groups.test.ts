/**
 * One schedule group per kind in the construct's template: a group per registered kind named
 * `tickwork-<stage>-<kind>`, the old single group kept, the functions that write jobs (the API and the
 * jobs custom resource's handler) told the groups' prefix and the old group, and granted schedule actions
 * on exactly those groups (delete only on the old one).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tickwork } from '../../cdk/index.ts';
import { ENV } from '../../shared/config.ts';
import { functionName } from '../../shared/functions.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';

const STAGE = 'team';
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown };

let resources: Resources;

beforeAll(() => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TeamStack');
  const tickwork = new Tickwork(stack, 'Tickwork', { stage: STAGE });
  // A job as code brings the jobs custom resource's handler, the other function that writes schedules.
  tickwork.addJob('morning-digest', {
    kind: 'prompt',
    schedule: 'cron(0 9 ? * MON-FRI *)',
    prompt: 'Summarize the overnight alerts',
    target: { type: 'webhook', url: 'https://hooks.example.com/tickwork', signingSecret: 'hook-key' },
  });
  resources = Template.fromStack(stack).toJSON().Resources as Resources;
});

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function functionResource(id: 'api' | 'jobs-resource') {
  const fn = Object.values(resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      resource.Properties.FunctionName === functionName(STAGE, id),
  );
  if (fn === undefined) throw new Error(`no function ${id}`);
  return fn;
}

/** The function's scheduler statements as `action -> groups` (the group of each `schedule/<group>/*` ARN). */
function scheduleGrants(id: 'api' | 'jobs-resource'): Record<string, string[]> {
  const fn = functionResource(id);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const grants: Record<string, string[]> = {};
  for (const policy of Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Policy')) {
    if (!JSON.stringify(policy.Properties.Roles).includes(role)) continue;
    for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
      for (const action of asList(statement.Action).filter((a) => a.startsWith('scheduler:'))) {
        for (const resource of asList(statement.Resource)) {
          const text = JSON.stringify(resource);
          const group = /:schedule\/([^/]+)\/\*/.exec(text)?.[1] ?? text;
          grants[action] = [...(grants[action] ?? []), group].sort();
        }
      }
    }
  }
  return grants;
}

const kindGroups = JOB_KINDS.map((kind) => `tickwork-${STAGE}-${kind}`).sort();

describe('one schedule group per kind', () => {
  it('Then there is a group per registered kind, and the old single group', () => {
    const names = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::Scheduler::ScheduleGroup')
      .map((resource) => resource.Properties.Name);
    expect(names.sort()).toEqual([`tickwork-${STAGE}`, ...kindGroups].sort());
  });

  it.each(['api', 'jobs-resource'] as const)(
    "Then %s may read and write schedules in exactly the kinds' groups, and delete there and in the old group",
    (id) => {
      const grants = scheduleGrants(id);
      for (const action of [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:GetSchedule',
      ]) {
        expect(grants[action], action).toEqual(kindGroups);
      }
      expect(grants['scheduler:DeleteSchedule']).toEqual([`tickwork-${STAGE}`, ...kindGroups].sort());
    },
  );

  it.each(['api', 'jobs-resource'] as const)('Then %s is told the groups’ prefix and the old group', (id) => {
    const fn = functionResource(id);
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[ENV.scheduleGroupPrefix]).toBe(`tickwork-${STAGE}`);
    expect(variables[ENV.legacyScheduleGroup]).toBe(`tickwork-${STAGE}`);
  });
});
