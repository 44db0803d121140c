/**
 * The Tickwork construct's props: readonly, documented, defaulted, with strong types (functions, buses
 * and log groups as constructs, not ARN strings), and checked when the construct is built, so a bad value
 * fails `cdk synth` with the prop's name and the rule, before anything reaches AWS.
 */
import { isIP } from 'node:net';
import { type Duration, Token } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { MAX_RUN_RETENTION_DAYS, STAGE_PATTERN } from '../infra/context.ts';
import { type AlarmSettings, DEFAULT_ALARM_PERIOD, DEFAULT_EVALUATION_PERIODS } from './alarms.ts';
import type { TickworkTables } from './tables.ts';

/** A prop of the construct that breaks a rule; thrown while the construct is built (at synth). */
export class TickworkPropsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TickworkPropsError';
  }
}

/**
 * The deployment's CloudWatch alarms (cdk/alarms.ts): Scheduler's failure metrics per schedule group, the
 * dead-letter queues' depth, every function's errors and throttles, and Tickwork's failed runs, missed slots
 * and late jobs per kind. Each alarm fires when its metric is above its threshold for `evaluationPeriods`
 * periods in a row, and treats missing data as not breaching (these metrics appear only when something
 * happens).
 */
export interface TickworkAlarms {
  /**
   * Whether to create the alarms at all (the dashboard is created either way).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The SNS topic told when an alarm turns ALARM and when it is OK again.
   * @default - the stack's alerts topic (`alerts.topic`, output AlertsTopicArn), where health changes go too
   */
  readonly topic?: ITopic;
  /**
   * The period each alarm sums (or, for queue depth and late jobs, takes the maximum of) its metric over:
   * whole minutes, 1 minute to 1 day.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * Consecutive breaching periods before an alarm fires: a whole number from 1, with `period` times it at
   * most one day (CloudWatch's limit).
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Function errors per period that are tolerated; the alarm fires above. A job function fails its
   * invocation when a run fails and Lambda is to retry it, so errors follow failed runs.
   * @default 0
   */
  readonly functionErrorThreshold?: number;
  /**
   * Failed (or timed-out) runs per kind and period that are tolerated; the alarm fires above.
   * @default 0
   */
  readonly failedRunThreshold?: number;
}

export interface TickworkProps {
  /**
   * The deployment stage: part of every resource name (`tickwork-<stage>-jobs`, `tickwork-<stage>-api`),
   * so one lower-case form every service accepts: a letter, then up to 19 lower-case letters, digits or
   * hyphens.
   */
  readonly stage: string;
  /**
   * The tables (job definitions and run history), e.g. from a stateful stack of your own
   * (`addTables` in `tickwork/cdk`), so the functions can be replaced without touching the data.
   * @default - created inside this construct, retained when it is removed
   */
  readonly tables?: TickworkTables;
  /**
   * A jobs file (`tickwork.jobs.yaml`) whose jobs this deployment applies and manages, as it does the jobs
   * of {@link Tickwork.addJob}; read and checked at synth with the API's schemas.
   * @default - no jobs file
   */
  readonly jobsFile?: string;
  /**
   * Hosts prompt webhooks and HTTP targets may reach even if the outbound guard would refuse them: bare
   * host names or IP addresses (no scheme, port or path).
   * @default - none
   */
  readonly webhookAllowedHosts?: readonly string[];
  /**
   * Amazon Bedrock foundation-model ids calibration jobs may invoke, in the stack's Region (e.g.
   * `anthropic.claude-3-haiku-20240307-v1:0`); each is granted `bedrock:InvokeModel` on exactly its ARN.
   * @default - none: no Bedrock permission at all
   */
  readonly allowedModelIds?: readonly string[];
  /**
   * Functions task jobs created through the API may invoke (a task job added with
   * {@link Tickwork.addJob} grants its own target already).
   * @default - none
   */
  readonly taskFunctions?: readonly IFunction[];
  /**
   * Event buses task jobs created through the API may put events on.
   * @default - none
   */
  readonly eventBuses?: readonly IEventBus[];
  /**
   * Users' model functions calibration jobs may invoke synchronously.
   * @default - none
   */
  readonly modelFunctions?: readonly IFunction[];
  /**
   * How long finished runs (and executed one-time jobs) stay queryable: whole days, 1 to 3650.
   * @default Duration.days(30)
   */
  readonly runRetention?: Duration;
  /**
   * Log groups the telemetry jobs' Logs Insights queries may read (a group imported by a name ending in
   * `*` names a prefix).
   * @default - none: the `logs` capability is granted nothing
   */
  readonly queryLogGroups?: readonly ILogGroup[];
  /**
   * How long function logs and API access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * The deployment's CloudWatch alarms and where they notify (see {@link TickworkAlarms}).
   * @default - every alarm, with the defaults of {@link TickworkAlarms}
   */
  readonly alarms?: TickworkAlarms;
}

// The outbound guard compares a URL's hostname (lower case, IPv6 without brackets) with these entries
// exactly, so only host names and IP addresses can ever match.
const HOST_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const BEDROCK_MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9.-]*\.[A-Za-z0-9.:_-]+$/;
const LOG_GROUP_ENTRY_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}\*?$/;

function fail(prop: string, rule: string, received: unknown): never {
  throw new TickworkPropsError(`Tickwork prop "${prop}" ${rule}; got ${JSON.stringify(received)}`);
}

/** The props checked; what the construct builds from (days, not a Duration; lower-case hosts). */
export interface CheckedProps {
  readonly stage: string;
  readonly webhookAllowedHosts: readonly string[];
  readonly allowedModelIds: readonly string[];
  readonly runRetentionDays: number | undefined;
  /** Undefined when alarms are disabled. */
  readonly alarms: AlarmSettings | undefined;
}

export function checkProps(props: TickworkProps): CheckedProps {
  if (typeof props.stage !== 'string' || !STAGE_PATTERN.test(props.stage)) {
    fail(
      'stage',
      `must match ${STAGE_PATTERN} (a lower-case letter, then up to 19 lower-case letters, digits or hyphens)`,
      props.stage,
    );
  }
  const webhookAllowedHosts = (props.webhookAllowedHosts ?? []).map((entry) => {
    const host = entry
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (!HOST_NAME_PATTERN.test(host) && isIP(host) === 0) {
      fail(
        'webhookAllowedHosts',
        'entries must be bare host names or IP addresses such as "hooks.example.com" (no scheme, port or path)',
        entry,
      );
    }
    return host;
  });
  for (const id of props.allowedModelIds ?? []) {
    if (!BEDROCK_MODEL_ID_PATTERN.test(id)) {
      fail(
        'allowedModelIds',
        'entries must be Bedrock foundation-model ids such as "anthropic.claude-3-haiku-20240307-v1:0" (no ARN, no wildcard)',
        id,
      );
    }
  }
  for (const group of props.queryLogGroups ?? []) {
    const name = group.logGroupName;
    if (!Token.isUnresolved(name) && (!LOG_GROUP_ENTRY_PATTERN.test(name) || name === '*')) {
      fail(
        'queryLogGroups',
        'entries must be log groups named by 1–512 of A-Z a-z 0-9 . - _ / #, or a name prefix ending in "*" (not "*" alone)',
        name,
      );
    }
  }
  let runRetentionDays: number | undefined;
  if (props.runRetention !== undefined) {
    const days = props.runRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > MAX_RUN_RETENTION_DAYS) {
      fail(
        'runRetention',
        `must be whole days from 1 to ${MAX_RUN_RETENTION_DAYS}`,
        props.runRetention.toHumanString(),
      );
    }
    runRetentionDays = days;
  }
  return {
    stage: props.stage,
    webhookAllowedHosts: [...new Set(webhookAllowedHosts)],
    allowedModelIds: [...new Set(props.allowedModelIds ?? [])],
    runRetentionDays,
    alarms: checkAlarms(props.alarms),
  };
}

/** CloudWatch's longest alarm evaluation: period times evaluation periods. */
const MAX_ALARM_WINDOW_SECONDS = 86_400;

function checkAlarms(alarms: TickworkAlarms | undefined): AlarmSettings | undefined {
  if (alarms?.enabled === false) return undefined;
  const period = alarms?.period ?? DEFAULT_ALARM_PERIOD;
  const periodSeconds = period.toSeconds({ integral: false });
  // Whole minutes: CloudWatch takes 10, 30 or a multiple of 60 seconds, and the sub-minute periods need
  // high-resolution metrics, which neither Scheduler nor Lambda nor Tickwork publishes.
  if (
    !Number.isInteger(periodSeconds / 60) ||
    periodSeconds < 60 ||
    periodSeconds > MAX_ALARM_WINDOW_SECONDS
  ) {
    fail('alarms.period', 'must be whole minutes from 1 minute to 1 day', period.toHumanString());
  }
  const evaluationPeriods = alarms?.evaluationPeriods ?? DEFAULT_EVALUATION_PERIODS;
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    fail('alarms.evaluationPeriods', 'must be a whole number from 1', evaluationPeriods);
  }
  if (evaluationPeriods * periodSeconds > MAX_ALARM_WINDOW_SECONDS) {
    fail(
      'alarms.evaluationPeriods',
      `times alarms.period (${period.toHumanString()}) must be at most one day (CloudWatch's limit)`,
      evaluationPeriods,
    );
  }
  const threshold = (prop: 'functionErrorThreshold' | 'failedRunThreshold'): number => {
    const value = alarms?.[prop] ?? 0;
    if (!Number.isFinite(value) || value < 0) {
      fail(`alarms.${prop}`, 'must be a number of 0 or more', value);
    }
    return value;
  };
  return {
    topic: alarms?.topic,
    period,
    evaluationPeriods,
    functionErrorThreshold: threshold('functionErrorThreshold'),
    failedRunThreshold: threshold('failedRunThreshold'),
  };
}
