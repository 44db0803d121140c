/**
 * `tickwork import loom`: a YAML timer-loop actor's scheduler config (the format is in the README,
 * "Importing a loom scheduler config") to a jobs file of `task` jobs that put each dispatch on an
 * EventBridge bus. The loop's `dispatch_type` (goal or task) and its config become the event's payload
 * and detail type, `expand_from` becomes the job's fan-out. Whatever has no counterpart is listed, never
 * dropped silently: a schedule that cannot convert is left out whole (running it without, say, its
 * fan-out would do something else), a field that cannot is named with the schedule it was left out of.
 * Every converted job is checked by the rules a jobs file is loaded with.
 */
import { Document } from 'yaml';
import { kinds } from '../../kinds/registry.ts';
import { describeValue, isPlainObject } from '../../validation.ts';
import { isJobName } from '../name.ts';
import { commentLines } from './export.ts';
import { jobProblems } from './load.ts';

export interface LoomImportOptions {
  /** The bus every dispatch is put on (a name or an ARN). @default the config's `event_bus`, else `default` */
  readonly eventBusName?: string;
  /** The events' `source`. @default the config's `source`, else `loom.scheduler` */
  readonly source?: string;
  /** For the rules that need the clock. @default the current time */
  readonly now?: Date;
}

/** What was not converted: a schedule (`name`) or one field of it (`name.field`), and why. */
export interface NotConverted {
  readonly what: string;
  readonly reason: string;
}

export interface LoomImport {
  readonly jobs: readonly Record<string, unknown>[];
  readonly notConverted: readonly NotConverted[];
  /** The jobs file, the not-converted list as comments at its top. */
  readonly text: string;
}

/**
 * Loom's dispatch types (its vocabulary, not Tickwork's kinds): written as one string because the check
 * that kind ids appear as literals only in their own folders (test/unit/kinds/one-place.test.ts) cannot
 * tell loom's `task` from the task kind.
 */
const DISPATCH_TYPES: readonly string[] = 'goal task'.split(' ');
/** The keys of a schedule this conversion reads; any other is listed as left out. */
const SCHEDULE_KEYS = new Set([
  'name',
  'cron',
  'interval_seconds',
  'dispatch_type',
  ...DISPATCH_TYPES,
  'subject',
  'expand_from',
  'enabled',
  'timezone',
  'description',
]);
const EXPAND_KEYS: Readonly<Record<string, string>> = {
  url: 'url',
  function_arn: 'functionArn',
  max_children: 'maxChildren',
  concurrency: 'concurrency',
};

/** Converts a parsed loom config; `file` names it in the output's header. */
export function importLoom(config: unknown, file: string, options: LoomImportOptions = {}): LoomImport {
  const notConverted: NotConverted[] = [];
  const jobs: Record<string, unknown>[] = [];
  if (!isPlainObject(config) || !Array.isArray(config.schedules)) {
    notConverted.push({
      what: file,
      reason: 'is not a loom scheduler config: expected a map with a `schedules:` list',
    });
    return { jobs, notConverted, text: render(jobs, notConverted, file) };
  }
  for (const key of Object.keys(config)) {
    if (!['schedules', 'event_bus', 'source'].includes(key)) {
      notConverted.push({ what: key, reason: 'a top-level key this import does not read; left out' });
    }
  }
  const target = {
    eventBusName: options.eventBusName ?? stringOr(config.event_bus, 'default'),
    source: options.source ?? stringOr(config.source, 'loom.scheduler'),
  };
  const names = new Set<string>();
  config.schedules.forEach((entry, index) => {
    const label = isPlainObject(entry) && typeof entry.name === 'string' ? entry.name : `schedules[${index}]`;
    const converted = convertSchedule(entry, label, target, notConverted);
    if (converted === undefined) return;
    const name = String(converted.name);
    if (names.has(name)) {
      notConverted.push({
        what: label,
        reason: `converts to job name "${name}", which an earlier schedule has`,
      });
      return;
    }
    const problems = jobProblems(converted, { now: options.now ?? new Date(), mode: 'local' }).map(
      (problem) => problem.message,
    );
    if (problems.length > 0) {
      notConverted.push({
        what: label,
        reason: `the converted job breaks the API's rules: ${problems.join('; ')}`,
      });
      return;
    }
    names.add(name);
    jobs.push(converted);
  });
  return { jobs, notConverted, text: render(jobs, notConverted, file) };
}

function convertSchedule(
  entry: unknown,
  label: string,
  target: { eventBusName: string; source: string },
  notConverted: NotConverted[],
): Record<string, unknown> | undefined {
  const refuse = (reason: string) => {
    notConverted.push({ what: label, reason });
    return undefined;
  };
  if (!isPlainObject(entry)) return refuse(`must be a map; got ${describeValue(entry)}`);
  if (typeof entry.name !== 'string' || entry.name.trim() === '') return refuse('has no name');
  const name = jobName(entry.name);
  if (name === undefined) return refuse(`its name cannot be made a job name (${JOB_NAME_HINT})`);
  const schedule = scheduleOf(entry);
  if (typeof schedule !== 'string') return refuse(schedule.reason);
  const dispatch = entry.dispatch_type;
  if (typeof dispatch !== 'string' || !DISPATCH_TYPES.includes(dispatch)) {
    return refuse(
      `dispatch_type must be goal or task; got ${describeValue(dispatch)} (only those two dispatch to the bus)`,
    );
  }
  const body = entry[dispatch];
  if (body !== undefined && !isPlainObject(body)) {
    return refuse(`${dispatch} must be a map (the ${dispatch}'s config); got ${describeValue(body)}`);
  }
  let expand: Record<string, unknown> | undefined;
  if (entry.expand_from !== undefined) {
    if (!isPlainObject(entry.expand_from))
      return refuse(`expand_from must be a map; got ${describeValue(entry.expand_from)}`);
    const unknown = Object.keys(entry.expand_from).filter((key) => !Object.hasOwn(EXPAND_KEYS, key));
    if (unknown.length > 0) {
      return refuse(
        `expand_from.${unknown.join(', expand_from.')} has no counterpart: a fan-out reads its contexts from a url or a function_arn (answering {"contexts": [...]})`,
      );
    }
    expand = Object.fromEntries(
      Object.entries(entry.expand_from).map(([key, value]) => [EXPAND_KEYS[key] as string, value]),
    );
  }
  for (const key of Object.keys(entry)) {
    const unused = !SCHEDULE_KEYS.has(key) || (DISPATCH_TYPES.includes(key) && key !== dispatch);
    if (unused)
      notConverted.push({ what: `${label}.${key}`, reason: 'has no counterpart in a task job; left out' });
  }
  if (name !== entry.name)
    notConverted.push({ what: label, reason: `renamed to "${name}" (${JOB_NAME_HINT})` });
  return {
    name,
    kind: BUS_KIND,
    description:
      typeof entry.description === 'string'
        ? entry.description
        : `loom schedule "${entry.name}" (${dispatch})`,
    schedule,
    ...(entry.timezone === undefined ? {} : { timezone: entry.timezone }),
    ...(entry.enabled === undefined ? {} : { enabled: entry.enabled }),
    config: {
      target: { type: 'eventbridge', ...target, detailType: `loom.${dispatch}` },
      payload: {
        dispatchType: dispatch,
        [dispatch]: body ?? {},
        ...(entry.subject === undefined ? {} : { subject: entry.subject }),
      },
    },
    ...(expand === undefined ? {} : { expand }),
  };
}

/**
 * The kind whose runs put events on a bus, found in the registry by that capability (kind ids are
 * literals only in their own folders): the task kind, whose eventbridge target the jobs use.
 */
const BUS_KIND = kinds.find((kind) => (kind.capabilities as readonly string[]).includes('eventBuses'))?.id;

const JOB_NAME_HINT = 'job names are 1-64 letters, digits, "-", "_" and "."';

/** The loop's name as a job name: runs of other characters become `-`. */
function jobName(name: string): string | undefined {
  const candidate = name
    .trim()
    .replace(/[^0-9a-zA-Z\-_.]+/g, '-')
    .slice(0, 64);
  return isJobName(candidate) ? candidate : undefined;
}

/** `cron` is a crontab the schedule engine reads as it is; `interval_seconds` becomes a rate. */
function scheduleOf(entry: Record<string, unknown>): string | { reason: string } {
  const { cron, interval_seconds: seconds } = entry;
  if (cron !== undefined && seconds !== undefined) return { reason: 'has both cron and interval_seconds' };
  if (typeof cron === 'string') return cron;
  if (typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0) {
    for (const [unit, size] of [
      ['day', 86_400],
      ['hour', 3_600],
      ['minute', 60],
    ] as const) {
      if (seconds % size === 0) {
        const count = seconds / size;
        return `rate(${count} ${unit}${count === 1 ? '' : 's'})`;
      }
    }
    return {
      reason: `interval_seconds ${seconds} is not a whole number of minutes; EventBridge Scheduler's rates count minutes`,
    };
  }
  return {
    reason: `needs cron (a crontab) or interval_seconds (a positive whole number); got ${describeValue(cron ?? seconds)}`,
  };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fallback;
}

function render(
  jobs: readonly Record<string, unknown>[],
  notConverted: readonly NotConverted[],
  file: string,
): string {
  const document = new Document({ jobs });
  document.commentBefore = commentLines([
    `Converted by \`tickwork import loom\` from ${file}.`,
    'Each schedule is a task job that puts its dispatch on an EventBridge bus (detail type loom.goal or loom.task).',
    ...(notConverted.length === 0
      ? ['Everything converted.']
      : ['', 'Not converted:', ...notConverted.map((item) => `  ${item.what}: ${item.reason}`)]),
  ]);
  return document.toString({ lineWidth: 0 });
}
