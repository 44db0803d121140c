/**
 * The deployment settings the CDK app takes from context (`cdk synth -c stage=prod`, or cdk.json),
 * validated before any construct exists so a bad value fails the synth with one clear line.
 */
import { isIP } from 'node:net';
import type { Node } from 'constructs';
import { EVENT_BUS_ARN_PATTERN, EVENT_BUS_NAME_PATTERN } from '../shared/kinds/targets.ts';

/**
 * A stage becomes part of every resource name (`tickwork-<stage>-jobs`, `Tickwork-<stage>-Service`), so it
 * must be valid in all of them: one lower-case form that every service accepts, and short enough that the
 * longest derived name stays well inside the tightest limit (64 characters for function and group names).
 */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** The stage used when the context sets none. */
export const DEFAULT_STAGE = 'dev';

/** Ten years: longer than any history a scheduler needs, and a guard against a mistyped value. */
export const MAX_RUN_RETENTION_DAYS = 3650;

// The outbound guard compares a webhook URL's hostname (lower case, IPv6 without brackets) with these
// entries exactly, so only host names and IP addresses can ever match; schemes, ports and paths cannot.
const HOST_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

/** Validates a stage name; returns it unchanged. */
export function validateStage(value: unknown): string {
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) {
    throw new ContextError(
      `context "stage" must match ${STAGE_PATTERN} (a lower-case letter, then up to 19 lower-case letters, ` +
        `digits or hyphens), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The stage from context `stage`, or {@link DEFAULT_STAGE}. */
export function stageFromContext(node: Node): string {
  const value: unknown = node.tryGetContext('stage');
  return validateStage(value ?? DEFAULT_STAGE);
}

/** A context value that lists entries: how to read and check each one. */
interface ContextList {
  readonly key: string;
  /** What the entries are, for the message when the value is not a list. */
  readonly what: string;
  /** @default trimmed */
  readonly normalize?: (entry: string) => string;
  readonly valid: (entry: string) => boolean;
  /** What each entry must be, for the message naming a bad one. */
  readonly rule: string;
}

/**
 * A list from context: a comma-separated string (`-c key=a,b`) or a string array (cdk.json); blank
 * entries skipped, duplicates dropped, none when unset, every other entry checked.
 */
function parseContextList(value: unknown, list: ContextList): readonly string[] {
  if (value === undefined) return [];
  const entries = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(entries)) {
    throw new ContextError(
      `context "${list.key}" must be a comma-separated string or an array of ${list.what}, got ${JSON.stringify(value)}`,
    );
  }
  const normalize = list.normalize ?? ((entry: string) => entry.trim());
  const found = new Set<string>();
  for (const entry of entries) {
    const item = typeof entry === 'string' ? normalize(entry) : entry;
    if (item === '') continue;
    if (typeof item !== 'string' || !list.valid(item)) {
      throw new ContextError(
        `context "${list.key}" entries must be ${list.rule}, got ${JSON.stringify(entry)}`,
      );
    }
    found.add(item);
  }
  return [...found];
}

/**
 * Parses the webhook allow-list: hosts a prompt webhook may reach in AWS even if the outbound guard would
 * refuse them. Accepts a comma-separated string (`-c webhookAllowedHosts=a.example,b.example`) or a string
 * array (cdk.json); returns lower-case hosts without duplicates.
 */
export function parseWebhookAllowedHosts(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'webhookAllowedHosts',
    what: 'host names',
    normalize: (entry) =>
      entry
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    valid: (host) => HOST_NAME_PATTERN.test(host) || isIP(host) !== 0,
    rule: 'bare host names or IP addresses such as "hooks.example.com" (no scheme, port or path)',
  });
}

/** The webhook allow-list from context `webhookAllowedHosts`; none when unset. */
export function webhookAllowedHostsFromContext(node: Node): readonly string[] {
  return parseWebhookAllowedHosts(node.tryGetContext('webhookAllowedHosts'));
}

/**
 * Parses the run retention (days finished runs and executed one-time jobs stay queryable): a whole number
 * from 1 to {@link MAX_RUN_RETENTION_DAYS}, given as a string (`-c runRetentionDays=90`) or a number
 * (cdk.json). Undefined when unset, so the stack's default applies.
 */
export function parseRunRetentionDays(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const days = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_RUN_RETENTION_DAYS) {
    throw new ContextError(
      `context "runRetentionDays" must be a whole number of days from 1 to ${MAX_RUN_RETENTION_DAYS}, ` +
        `got ${JSON.stringify(value)}`,
    );
  }
  return days;
}

/** The run retention from context `runRetentionDays`; undefined when unset. */
export function runRetentionDaysFromContext(node: Node): number | undefined {
  return parseRunRetentionDays(node.tryGetContext('runRetentionDays'));
}

/** CloudWatch Logs' log group name rule; a trailing `*` (allowed here only) makes the entry a prefix. */
const LOG_GROUP_ENTRY_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}\*?$/;

/**
 * Parses the log groups Logs Insights queries may read (`-c queryLogGroups=/aws/bedrock/invocations,app-*`
 * or an array in cdk.json): names, or prefixes ending in `*`. The telemetry function is granted StartQuery
 * on exactly these; a bare `*` (every group) is refused, since the point is to name them.
 */
export function parseQueryLogGroups(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'queryLogGroups',
    what: 'log group names',
    valid: (name) => LOG_GROUP_ENTRY_PATTERN.test(name) && name !== '*',
    rule: 'log group names (1–512 of A-Z a-z 0-9 . - _ / #), or a name prefix ending in "*" such as "/aws/bedrock/*"',
  });
}

/** The log groups from context `queryLogGroups`; none when unset. */
export function queryLogGroupsFromContext(node: Node): readonly string[] {
  return parseQueryLogGroups(node.tryGetContext('queryLogGroups'));
}

/** What a Bedrock model id looks like (`provider.model-name-version:n`); the ARN is built from it. */
const BEDROCK_MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9.-]*\.[A-Za-z0-9.:_-]+$/;

/**
 * Parses the Bedrock allow-list: foundation-model ids calibration jobs may invoke. A comma-separated
 * string (`-c tickwork:bedrockModelIds=a,b`) or a string array (cdk.json); none when unset.
 */
export function parseBedrockModelIds(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'tickwork:bedrockModelIds',
    what: 'model ids',
    valid: (id) => BEDROCK_MODEL_ID_PATTERN.test(id),
    rule: 'Bedrock foundation-model ids such as "anthropic.claude-3-haiku-20240307-v1:0" (no ARN, no wildcard)',
  });
}

/** The Bedrock allow-list from context `tickwork:bedrockModelIds`; none when unset. */
export function bedrockModelIdsFromContext(node: Node): readonly string[] {
  return parseBedrockModelIds(node.tryGetContext('tickwork:bedrockModelIds'));
}

const FUNCTION_ARN_PATTERN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

/**
 * Parses the model-function allow-list: Lambda function ARNs calibration jobs may invoke. A
 * comma-separated string (`-c tickwork:modelFunctionArns=arn:…,arn:…`) or an array; none when unset.
 */
export function parseModelFunctionArns(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'tickwork:modelFunctionArns',
    what: 'function ARNs',
    valid: (arn) => FUNCTION_ARN_PATTERN.test(arn),
    rule: 'Lambda function ARNs (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>], no wildcard)',
  });
}

/** The model-function allow-list from context `tickwork:modelFunctionArns`; none when unset. */
export function modelFunctionArnsFromContext(node: Node): readonly string[] {
  return parseModelFunctionArns(node.tryGetContext('tickwork:modelFunctionArns'));
}

/**
 * Parses the task-function allow-list: Lambda function ARNs task jobs may invoke synchronously. A
 * comma-separated string (`-c tickwork:taskFunctionArns=arn:…,arn:…`) or an array; none when unset.
 */
export function parseTaskFunctionArns(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'tickwork:taskFunctionArns',
    what: 'function ARNs',
    valid: (arn) => FUNCTION_ARN_PATTERN.test(arn),
    rule: 'Lambda function ARNs (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>], no wildcard)',
  });
}

/** The task-function allow-list from context `tickwork:taskFunctionArns`; none when unset. */
export function taskFunctionArnsFromContext(node: Node): readonly string[] {
  return parseTaskFunctionArns(node.tryGetContext('tickwork:taskFunctionArns'));
}

/**
 * Parses the event-bus allow-list: the buses task jobs may put events on, by name (a bus of the stack's
 * account and Region) or by ARN (another account's bus that allows it). A comma-separated string
 * (`-c tickwork:eventBusNames=orders,default`) or an array; none when unset.
 */
export function parseEventBusNames(value: unknown): readonly string[] {
  return parseContextList(value, {
    key: 'tickwork:eventBusNames',
    what: 'event bus names or ARNs',
    valid: (entry) => EVENT_BUS_ARN_PATTERN.test(entry) || EVENT_BUS_NAME_PATTERN.test(entry),
    rule: 'event bus names (1–256 of A-Z a-z 0-9 . _ - /, such as "orders" or "default") or event bus ARNs (arn:aws:events:<region>:<account>:event-bus/<name>), no wildcard',
  });
}

/** The event-bus allow-list from context `tickwork:eventBusNames`; none when unset. */
export function eventBusNamesFromContext(node: Node): readonly string[] {
  return parseEventBusNames(node.tryGetContext('tickwork:eventBusNames'));
}

/** The jobs file the project's app deploys when the context names none and the file is there. */
export const DEFAULT_JOBS_FILE = 'tickwork.jobs.yaml';

/**
 * The jobs file from context `jobsFile` (`-c jobsFile=jobs/prod.yaml`), else `tickwork.jobs.yaml` when it
 * exists in the directory `cdk` runs from, else none. A named file that does not exist is an error.
 */
export function jobsFileFromContext(node: Node, exists: (path: string) => boolean): string | undefined {
  const value: unknown = node.tryGetContext('jobsFile');
  if (value === undefined) return exists(DEFAULT_JOBS_FILE) ? DEFAULT_JOBS_FILE : undefined;
  if (typeof value !== 'string' || value.trim() === '' || !exists(value.trim())) {
    throw new ContextError(
      `context "jobsFile" must name an existing jobs file, got ${JSON.stringify(value)}`,
    );
  }
  return value.trim();
}
