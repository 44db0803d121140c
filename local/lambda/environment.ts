/**
 * The environment the stack gives each function in AWS, built for one machine: the same variable
 * names (shared/config.ts), local table names and ARNs, and the local engines' endpoints.
 */
import { join } from 'node:path';
import { ENV, legacyScheduleGroupName, scheduleGroupPrefix } from '../../shared/config.ts';
import { functionName, jobFunctionDefinitions } from '../../shared/functions.ts';
import { CAPABILITY_IDS, type CapabilityId } from '../../shared/kinds/capabilities.ts';
import { kindScheduleGroups } from '../../shared/schedule-groups.ts';
import { tableName } from '../../shared/tables.ts';
import type { LocalCredentials } from '../credentials.ts';

export const LOCAL_STAGE = 'local';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_SCHEDULE_GROUP_PREFIX = scheduleGroupPrefix(LOCAL_STAGE);
/** The local stack's single group from before one group per kind. */
export const LOCAL_LEGACY_SCHEDULE_GROUP = legacyScheduleGroupName(LOCAL_STAGE);
/** The schedule group of each kind, created at start. */
export const LOCAL_SCHEDULE_GROUPS = kindScheduleGroups(LOCAL_SCHEDULE_GROUP_PREFIX);
export const LOCAL_SCHEDULER_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/tickwork-${LOCAL_STAGE}-scheduler`;
/**
 * The dead-letter queue the local schedules name, shaped like the stack's (`tickwork-<stage>-scheduler-dlq`).
 * No queue exists behind it: the emulator keeps what it could not deliver in `<dataDir>/dead-letters.jsonl`
 * (what `tickwork dead-letters` lists) for any schedule that has a DeadLetterConfig, and drops the event
 * for one that has none, as the service does.
 */
export const LOCAL_SCHEDULER_DLQ_ARN = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:tickwork-${LOCAL_STAGE}-scheduler-dlq`;

export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}

export interface LocalEnvironmentInput {
  readonly dynamodbEndpoint: string;
  readonly schedulerEndpoint: string;
  /**
   * The stack's credentials, which its listeners accept signatures of: the functions' SDK clients
   * read them from the environment, as a function's clients read its role's credentials in AWS.
   */
  readonly credentials: LocalCredentials;
  /** Absolute data directory; secrets are read from `secrets.json` inside it. */
  readonly dataDir: string;
  /**
   * The waits before the local runtime's retries of a failed asynchronous invocation, so runs read
   * `retrying` exactly while a retry is coming. @default Lambda's (ASYNC_RETRY_DELAYS_SECONDS)
   */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * A CloudWatch endpoint for the `metrics` capability (an emulator, a test server): the local stack runs
   * none, and AWS refuses the stack's local credentials. @default none (the SDK's own endpoint)
   */
  readonly cloudwatchEndpoint?: string;
  /** A CloudWatch Logs endpoint for the `logs` capability, likewise. @default none */
  readonly cloudwatchLogsEndpoint?: string;
  /** The stack's EventBridge endpoint (local/eventbridge/) for the `eventBuses` capability. @default none */
  readonly eventbridgeEndpoint?: string;
}

/** The endpoints of the AWS services the local stack does not run, as the shell that starts it names them. */
export function localServiceEndpoints(
  env: Readonly<Record<string, string | undefined>>,
): Pick<LocalEnvironmentInput, 'cloudwatchEndpoint' | 'cloudwatchLogsEndpoint'> {
  const cloudwatch = env.AWS_ENDPOINT_URL_CLOUDWATCH?.trim();
  const logs = env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS?.trim();
  return {
    ...(cloudwatch ? { cloudwatchEndpoint: cloudwatch } : {}),
    ...(logs ? { cloudwatchLogsEndpoint: logs } : {}),
  };
}

function endpointVariable(name: string, endpoint: string | undefined): Record<string, string> {
  return endpoint === undefined ? {} : { [name]: endpoint };
}

/**
 * Each capability's local values, the counterpart of the stack's bindings (infra/capabilities.ts). The
 * functions share one process locally, so every capability's variables are set for all of them.
 */
export const localCapabilityEnvironment: {
  readonly [C in CapabilityId]: (input: LocalEnvironmentInput) => Readonly<Record<string, string>>;
} = {
  secrets: (input) => ({ [ENV.secretsFile]: join(input.dataDir, 'secrets.json') }),
  // Locally the guard already lets http reach loopback (mode `local`); nothing is allowed beyond that.
  http: () => ({}),
  // The SDK clients read these variables themselves, as the DynamoDB and Scheduler clients do.
  metrics: ({ cloudwatchEndpoint }) => endpointVariable('AWS_ENDPOINT_URL_CLOUDWATCH', cloudwatchEndpoint),
  logs: ({ cloudwatchLogsEndpoint }) =>
    endpointVariable('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', cloudwatchLogsEndpoint),
  // The jobs table's name is set for every function below.
  checkpoints: () => ({}),
  // The jobs table the functions already name (TICKWORK_JOBS_TABLE) holds the counters.
  budgets: () => ({}),
  // The SDK reads AWS_ENDPOINT_URL_BEDROCK_RUNTIME itself; the handlers run in this process, so a value set
  // in the shell that started the stack (a local Converse stand-in) reaches them as it is.
  bedrock: () => ({}),
  // Locally the functions' Lambda endpoint is the stack's own Invoke endpoint, which serves the stack's
  // functions only: a model function is reached where AWS_ENDPOINT_URL_LAMBDA (set in the shell) points.
  modelFunctions: () => ({}),
  // The functions' AWS_ENDPOINT_URL_LAMBDA is the stack's Invoke endpoint (set by the stack), which also
  // serves the user's functions given to `tickwork local --function`, under local ARNs.
  taskFunctions: () => ({}),
  eventBuses: ({ eventbridgeEndpoint }) =>
    endpointVariable('AWS_ENDPOINT_URL_EVENTBRIDGE', eventbridgeEndpoint),
};

/** Variables for the handlers, per shared/config.ts, plus the SDK's endpoint and region settings. */
export function localFunctionEnvironment(input: LocalEnvironmentInput): Record<string, string> {
  const jobFunctionArns = Object.fromEntries(
    jobFunctionDefinitions.map((definition) => [
      definition.jobKind,
      localFunctionArn(functionName(LOCAL_STAGE, definition.id)),
    ]),
  );
  return {
    ...Object.assign({}, ...CAPABILITY_IDS.map((id) => localCapabilityEnvironment[id](input))),
    [ENV.stage]: LOCAL_STAGE,
    [ENV.mode]: 'local',
    [ENV.jobsTable]: tableName(LOCAL_STAGE, 'jobs'),
    [ENV.runsTable]: tableName(LOCAL_STAGE, 'runs'),
    [ENV.scheduleGroupPrefix]: LOCAL_SCHEDULE_GROUP_PREFIX,
    // Data directories from before one group per kind have their schedules here; reconcile at start moves them.
    [ENV.legacyScheduleGroup]: LOCAL_LEGACY_SCHEDULE_GROUP,
    [ENV.schedulerRoleArn]: LOCAL_SCHEDULER_ROLE_ARN,
    [ENV.schedulerDeadLetterArn]: LOCAL_SCHEDULER_DLQ_ARN,
    [ENV.jobFunctionArns]: JSON.stringify(jobFunctionArns),
    ...(input.asyncRetryDelaysMs === undefined
      ? {}
      : {
          [ENV.asyncRetryDelaysMs]:
            input.asyncRetryDelaysMs.length === 0 ? 'none' : input.asyncRetryDelaysMs.join(','),
        }),
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SCHEDULER: input.schedulerEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
  };
}

/**
 * Process-wide settings the local SDK clients need before anything is started: the local Region,
 * no instance-metadata lookups, and placeholder credentials when none are set, so that a client
 * created without credentials never looks for a profile or SSO session (which may reach the network).
 * The placeholders open nothing: the stack's own clients pass its credentials explicitly, and the
 * functions get them in their environment (localFunctionEnvironment).
 */
export function localProcessEnvironment(
  current: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
      current.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  };
  if (!current.AWS_ACCESS_KEY_ID || !current.AWS_SECRET_ACCESS_KEY) {
    env.AWS_ACCESS_KEY_ID = 'local';
    env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  return env;
}
