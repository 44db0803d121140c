/**
 * Builds one Tickwork deployment into an app: the stage and settings from context, the stateful and the
 * service stack, and cdk-nag's AwsSolutions checks over both. The CLI entry (`infra/app.ts`) and the infra
 * tests call this same function, so the tests see exactly what `cdk synth` produces.
 */
import { existsSync } from 'node:fs';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  bedrockModelIdsFromContext,
  eventBusNamesFromContext,
  jobsFileFromContext,
  modelFunctionArnsFromContext,
  queryLogGroupsFromContext,
  runRetentionDaysFromContext,
  stageFromContext,
  taskFunctionArnsFromContext,
  webhookAllowedHostsFromContext,
} from './context.ts';
import { stackName } from './naming.ts';
import { ServiceStack } from './service-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export interface TickworkStacks {
  readonly stage: string;
  readonly stateful: StatefulStack;
  readonly service: ServiceStack;
}

export function addTickwork(app: App): TickworkStacks {
  const stage = stageFromContext(app.node);
  const webhookAllowedHosts = webhookAllowedHostsFromContext(app.node);
  const runRetentionDays = runRetentionDaysFromContext(app.node);
  const queryLogGroups = queryLogGroupsFromContext(app.node);
  const bedrockModelIds = bedrockModelIdsFromContext(app.node);
  const modelFunctionArns = modelFunctionArnsFromContext(app.node);
  const taskFunctionArns = taskFunctionArnsFromContext(app.node);
  const eventBusNames = eventBusNamesFromContext(app.node);
  const jobsFile = jobsFileFromContext(app.node, existsSync);
  // Account and Region come from the CLI's credentials when it has them; without them the stacks stay
  // environment-agnostic, which is all `cdk synth` in CI needs.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const stateful = new StatefulStack(app, 'Stateful', {
    stackName: stackName(stage, 'Stateful'),
    description: `Tickwork ${stage}: tables (job definitions and run history)`,
    env,
    stage,
  });
  const service = new ServiceStack(app, 'Service', {
    stackName: stackName(stage, 'Service'),
    description: `Tickwork ${stage}: functions, API, schedule group, scheduler role and dead-letter queues`,
    env,
    stage,
    tables: stateful.tables,
    webhookAllowedHosts,
    queryLogGroups,
    bedrockModelIds,
    modelFunctionArns,
    taskFunctionArns,
    eventBusNames,
    runRetentionDays,
    jobsFile,
  });

  // cdk-nag 3 is a policy validation plugin: any unacknowledged finding fails the synth. Acknowledgments
  // (with their reasons) are also written into the template metadata for audit.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { stage, stateful, service };
}
