import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ENV,
  loadAlertsConfig,
  loadApiConfig,
  loadHttpConfig,
  loadJobFunctionConfig,
  loadRetryPolicy,
  loadSecretsConfig,
} from '../../shared/config.ts';
import { functionDefinitions } from '../../shared/functions.ts';

/** What the stack sets on the API function: every loader below starts from this and breaks one thing. */
const apiEnv: Readonly<Record<string, string>> = {
  [ENV.stage]: 'test',
  [ENV.mode]: 'aws',
  [ENV.jobsTable]: 'tickwork-test-jobs',
  [ENV.runsTable]: 'tickwork-test-runs',
  [ENV.scheduleGroupPrefix]: 'tickwork-test',
  [ENV.legacyScheduleGroup]: 'tickwork-test',
  [ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/scheduler',
  [ENV.jobFunctionArns]: JSON.stringify({ prompt: 'arn:aws:lambda:us-east-1:123456789012:function:p' }),
};

describe('loadApiConfig', () => {
  it('Given the environment the stack sets, When loaded, Then every value is read', () => {
    const config = loadApiConfig(apiEnv);
    expect(config).toMatchObject({
      stage: 'test',
      mode: 'aws',
      jobsTable: 'tickwork-test-jobs',
      runsTable: 'tickwork-test-runs',
      scheduleGroupPrefix: 'tickwork-test',
      legacyScheduleGroup: 'tickwork-test',
      jobFunctionArns: { prompt: 'arn:aws:lambda:us-east-1:123456789012:function:p' },
      runRetentionDays: 30,
      schedulerDeadLetterArn: undefined,
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(loadApiConfig({ ...apiEnv, [ENV.logLevel]: 'debug', [ENV.logFormat]: 'text' })).toMatchObject({
      logLevel: 'debug',
      logFormat: 'text',
    });
  });

  it.each([
    ['a missing stage', { [ENV.stage]: undefined }, `${ENV.stage} is required but not set`],
    ['a blank jobs table', { [ENV.jobsTable]: '  ' }, `${ENV.jobsTable} is required but not set`],
    ['an unknown mode', { [ENV.mode]: 'cloud' }, `${ENV.mode} must be "aws" or "local", got "cloud"`],
    [
      'a missing schedule group prefix',
      { [ENV.scheduleGroupPrefix]: undefined },
      `${ENV.scheduleGroupPrefix} is required`,
    ],
    [
      'function ARNs that are not JSON',
      { [ENV.jobFunctionArns]: '{prompt:' },
      `${ENV.jobFunctionArns} must be a JSON object`,
    ],
    [
      'function ARNs as a list',
      { [ENV.jobFunctionArns]: '["arn"]' },
      `${ENV.jobFunctionArns} must be a JSON object`,
    ],
    [
      'an empty function ARN',
      { [ENV.jobFunctionArns]: '{"prompt":""}' },
      `${ENV.jobFunctionArns}.prompt must be a function ARN`,
    ],
    [
      'a retention of zero',
      { [ENV.runRetentionDays]: '0' },
      `${ENV.runRetentionDays} must be a positive whole number, got "0"`,
    ],
    [
      'a fractional retention',
      { [ENV.runRetentionDays]: '1.5' },
      `${ENV.runRetentionDays} must be a positive whole number`,
    ],
    [
      'an unknown log level',
      { [ENV.logLevel]: 'verbose' },
      `${ENV.logLevel} must be one of debug, info, warn, error, got "verbose"`,
    ],
    ['an unknown log format', { [ENV.logFormat]: 'xml' }, `${ENV.logFormat} must be one of json, text`],
  ])(
    'Given %s, When loaded, Then a ConfigError names the variable and the rule',
    (_case, change, message) => {
      const env = { ...apiEnv, ...change };
      expect(() => loadApiConfig(env)).toThrow(ConfigError);
      expect(() => loadApiConfig(env)).toThrow(message);
    },
  );
});

describe('loadJobFunctionConfig', () => {
  it('Given the job function environment, When loaded, Then defaults derive from the stage and the catalog', () => {
    const config = loadJobFunctionConfig(apiEnv, functionDefinitions.prompt);
    expect(config).toMatchObject({
      timeoutSeconds: 60,
      runRetentionDays: 30,
      retryPolicy: { delaysMs: [60_000, 120_000] },
    });
  });

  it("Given the capabilities' variables, When loaded, Then each capability reads its own", () => {
    const env = { ...apiEnv, [ENV.webhookAllowedHosts]: ' Hooks.Example.com , ,api.internal ' };
    expect(loadHttpConfig(env)).toEqual({ allowedHosts: ['hooks.example.com', 'api.internal'] });
    expect(loadSecretsConfig(env, { stage: 'test' })).toEqual({
      secretsPrefix: 'tickwork/test/',
      secretsFile: undefined,
    });
  });

  it.each([
    ['unset', undefined, [60_000, 120_000]],
    ['none', 'none', []],
    ['two delays', '50,100', [50, 100]],
  ])('Given retry delays %s, When loaded, Then the policy is %j', (_case, value, delaysMs) => {
    expect(loadRetryPolicy({ [ENV.asyncRetryDelaysMs]: value })).toEqual({ delaysMs });
  });

  it.each(['-1', '1.5', 'soon', '60000,'])(
    'Given retry delays "%s", Then a ConfigError names the rule',
    (value) => {
      expect(() => loadRetryPolicy({ [ENV.asyncRetryDelaysMs]: value })).toThrow(
        `${ENV.asyncRetryDelaysMs} must be "none" or comma-separated whole milliseconds`,
      );
    },
  );

  it('Given a missing runs table, When loaded, Then a ConfigError names it', () => {
    expect(() =>
      loadJobFunctionConfig({ ...apiEnv, [ENV.runsTable]: undefined }, functionDefinitions.prompt),
    ).toThrow(`${ENV.runsTable} is required but not set`);
  });
});

describe('loadAlertsConfig', () => {
  it('Given no topic (the local stack), Then there is none; given a topic ARN, Then it is used', () => {
    expect(loadAlertsConfig({})).toEqual({ topicArn: undefined });
    const arn = 'arn:aws:sns:eu-west-1:123456789012:tickwork-prod-alerts';
    expect(loadAlertsConfig({ [ENV.alertsTopicArn]: arn })).toEqual({ topicArn: arn });
  });

  it.each([
    'tickwork-prod-alerts',
    'arn:aws:sqs:eu-west-1:123456789012:queue',
    'arn:aws:sns:eu-west-1:123:x',
  ])('Given the topic %s, Then a ConfigError names the variable and the rule', (value) => {
    const load = () => loadAlertsConfig({ [ENV.alertsTopicArn]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${ENV.alertsTopicArn} must be an SNS topic ARN`);
  });
});
