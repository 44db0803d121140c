import { describe, expect, it } from 'vitest';
import {
  LOCAL_LEGACY_SCHEDULE_GROUP,
  LOCAL_SCHEDULE_GROUP_PREFIX,
  LOCAL_SCHEDULER_DLQ_ARN,
  localFunctionEnvironment,
  localProcessEnvironment,
  localServiceEndpoints,
} from '../../../../local/lambda/environment.ts';
import { loadApiConfig, loadJobFunctionConfig, loadSecretsConfig } from '../../../../shared/config.ts';
import { functionDefinitions } from '../../../../shared/functions.ts';
import { kinds } from '../../../../shared/kinds/registry.ts';

const input = {
  dynamodbEndpoint: 'http://127.0.0.1:3002',
  schedulerEndpoint: 'http://127.0.0.1:3001',
  dataDir: '/home/dev/project/.tickwork',
  credentials: {
    accessKeyId: 'LOCAL0123456789ABCDEF',
    secretAccessKey: 'local-secret-access-key-0123456789abcdef',
  },
};

describe('localFunctionEnvironment', () => {
  it('Given the local endpoints, When the API function reads its config, Then it gets the local stage, tables and ARNs', () => {
    const config = loadApiConfig(localFunctionEnvironment(input));

    expect(config).toEqual({
      stage: 'local',
      mode: 'local',
      jobsTable: 'tickwork-local-jobs',
      runsTable: 'tickwork-local-runs',
      logLevel: 'info',
      logFormat: 'json',
      scheduleGroupPrefix: LOCAL_SCHEDULE_GROUP_PREFIX,
      legacyScheduleGroup: LOCAL_LEGACY_SCHEDULE_GROUP,
      schedulerRoleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
      schedulerDeadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:tickwork-local-scheduler-dlq',
      // One function per registered kind, named after it.
      jobFunctionArns: Object.fromEntries(
        kinds.map((kind) => [
          kind.id,
          `arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-${kind.id}`,
        ]),
      ),
      runRetentionDays: 30,
      retryPolicy: { delaysMs: [60_000, 120_000] },
    });
  });

  it('Given the local environment, Then its dead-letter ARN is one the Scheduler emulator accepts as an SQS queue', () => {
    // The emulator validates Target.DeadLetterConfig.Arn as the service does; a malformed ARN would make
    // every job create fail, so the shape is pinned here and exercised end to end in the integration tests.
    expect(LOCAL_SCHEDULER_DLQ_ARN).toMatch(/^arn:aws:sqs:us-east-1:000000000000:[a-zA-Z0-9\-_]+$/);
  });

  it('Given the local endpoints, When the prompt function reads its config, Then secrets come from the data directory', () => {
    const env = localFunctionEnvironment(input);
    const config = loadJobFunctionConfig(env, functionDefinitions.prompt);

    expect(config.mode).toBe('local');
    expect(loadSecretsConfig(env, config).secretsFile).toBe('/home/dev/project/.tickwork/secrets.json');
  });

  it('Given the local endpoints, Then the SDK clients are pointed at them in the local Region', () => {
    expect(localFunctionEnvironment(input)).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:3002',
      AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:3001',
      AWS_REGION: 'us-east-1',
    });
  });

  it("Given the stack's credentials, Then the functions' SDK clients sign with them", () => {
    expect(localFunctionEnvironment(input)).toMatchObject({
      AWS_ACCESS_KEY_ID: 'LOCAL0123456789ABCDEF',
      AWS_SECRET_ACCESS_KEY: 'local-secret-access-key-0123456789abcdef',
    });
  });
});

describe('CloudWatch endpoints of the metrics and logs capabilities', () => {
  it('Given none named by the shell, Then the functions get none (the local stack runs no CloudWatch)', () => {
    const env = localFunctionEnvironment({
      ...input,
      ...localServiceEndpoints({ AWS_ENDPOINT_URL_CLOUDWATCH: ' ' }),
    });
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL_CLOUDWATCH');
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS');
  });

  it('Given endpoints named by the shell, Then the functions’ CloudWatch clients are pointed at them', () => {
    const shell = {
      AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:4567',
    };
    expect(localFunctionEnvironment({ ...input, ...localServiceEndpoints(shell) })).toMatchObject(shell);
  });
});

describe('localProcessEnvironment', () => {
  it('Given no credentials, Then dummy ones are set so the SDK never looks for a profile', () => {
    expect(localProcessEnvironment({ AWS_PROFILE: 'prod' })).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });

  it('Given credentials, Then they are kept', () => {
    const env = localProcessEnvironment({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' });

    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });
});
