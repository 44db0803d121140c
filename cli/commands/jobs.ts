/**
 * `tickwork jobs add|list|get|update|delete|pause|resume`: the jobs API from the command line.
 * Each subcommand maps its arguments to one request (`parseJobsArgs`, pure but for reading
 * `--file`/`--config-file`), sends it, and prints a summary or, with `--json`, the answer.
 */
import { readFileSync } from 'node:fs';
import { JOB_NAME_PATTERN } from '../../shared/jobs/name.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import type { ApiClient, ApiRequest } from '../api-client.ts';
import { isRecord, routePath } from '../api-client.ts';
import {
  type ApiInvocation,
  connect,
  defineCommand,
  type Env,
  nextPageHint,
  type Parsed,
  TARGET_FLAGS,
  targetOptions,
  write,
} from '../api-command.ts';
import { expectPositionals, type FlagSpecs, type Flags, helpText, parseArgs } from '../args.ts';
import { parseInstant } from '../instant.ts';
import { json } from '../output.ts';
import { jobDetails, jobsTable } from '../render.ts';
import { UsageError } from '../usage-error.ts';

const DEFINITION_FLAGS = {
  schedule: {
    kind: 'string',
    value: 'EXPR',
    help: 'cron(...), rate(...), at(...), 5-field crontab, @daily, hourly/daily/weekly, PT15M …',
  },
  tz: { kind: 'string', value: 'ZONE', help: 'IANA time zone of the schedule (default UTC)' },
  description: { kind: 'string', value: 'TEXT', help: 'what the job is for' },
  'run-immediately': {
    kind: 'boolean',
    help: 'rate schedules: first run now instead of one interval from now',
  },
  overlap: {
    kind: 'string',
    value: 'skip|allow',
    choices: ['skip', 'allow'],
    help: 'when a run is still going (default skip)',
  },
  'flexible-window': {
    kind: 'integer',
    value: 'MIN',
    min: 1,
    max: 1440,
    help: 'let each run start anywhere in this many minutes after its slot',
  },
  start: { kind: 'string', value: 'ISO', help: 'no runs before this instant, e.g. 2026-01-31T09:00:00Z' },
  end: { kind: 'string', value: 'ISO', help: 'no runs after this instant' },
  tag: { kind: 'list', value: 'KEY=VALUE', help: 'a tag; repeat for more' },
  config: { kind: 'string', value: 'JSON', help: 'kind-specific config as a JSON object' },
  'config-file': { kind: 'string', value: 'PATH', help: 'read the config JSON object from a file' },
} as const satisfies FlagSpecs;

const ADD_FLAGS = {
  kind: { kind: 'string', value: 'KIND', choices: JOB_KINDS, help: `job kind: ${JOB_KINDS.join(', ')}` },
  ...DEFINITION_FLAGS,
  disabled: { kind: 'boolean', help: 'create the job paused' },
  file: { kind: 'string', value: 'PATH', help: 'read the whole job definition (JSON) from a file' },
  replace: { kind: 'boolean', help: 'create or replace (PUT /jobs/{name}) instead of create-only' },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

/** Fields `--clear` resets (PATCH with null), by CLI flag name and by API field name. */
const CLEARABLE: Readonly<Record<string, string>> = {
  description: 'description',
  tz: 'timezone',
  timezone: 'timezone',
  'flexible-window': 'flexibleWindowMinutes',
  flexibleWindowMinutes: 'flexibleWindowMinutes',
  start: 'startDate',
  startDate: 'startDate',
  end: 'endDate',
  endDate: 'endDate',
  tag: 'tags',
  tags: 'tags',
  overlap: 'overlap',
  'run-immediately': 'runImmediately',
  runImmediately: 'runImmediately',
};

const UPDATE_FLAGS = {
  ...DEFINITION_FLAGS,
  config: {
    kind: 'string',
    value: 'JSON',
    help: 'merged into the config (JSON Merge Patch: null removes a key)',
  },
  enabled: { kind: 'boolean', help: 'enable the job (same as resume)' },
  disabled: { kind: 'boolean', help: 'disable the job (same as pause)' },
  clear: {
    kind: 'list',
    value: 'FIELD',
    help: 'reset a field to its default: description, tz, flexible-window, start, end, tags, overlap, run-immediately',
  },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

const LIST_FLAGS = {
  kind: { kind: 'string', value: 'KIND', choices: JOB_KINDS, help: 'only jobs of this kind' },
  name: { kind: 'string', value: 'PREFIX', help: 'only jobs whose name starts with this' },
  enabled: {
    kind: 'string',
    value: 'true|false',
    choices: ['true', 'false'],
    help: 'only enabled or only paused jobs',
  },
  limit: { kind: 'integer', value: 'N', min: 1, max: 100, help: 'jobs per page (1-100)' },
  cursor: { kind: 'string', value: 'CURSOR', help: 'continue from a previous page' },
  all: { kind: 'boolean', help: 'follow every page' },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

type Subcommand = 'add' | 'list' | 'get' | 'update' | 'delete' | 'pause' | 'resume';

const SUBCOMMANDS: Readonly<Record<Subcommand, { usage: string; summary: string; flags: FlagSpecs }>> = {
  add: {
    usage:
      'tickwork jobs add <name> --kind KIND --schedule EXPR [options] | tickwork jobs add [<name>] --file job.json',
    summary: 'Create a job (POST /jobs); with --replace, create or replace it (PUT /jobs/{name}).',
    flags: ADD_FLAGS,
  },
  list: {
    usage: 'tickwork jobs list [options]',
    summary: 'List jobs (GET /jobs), one page at a time unless --all.',
    flags: LIST_FLAGS,
  },
  get: {
    usage: 'tickwork jobs get <name>',
    summary: 'Show one job (GET /jobs/{name}).',
    flags: TARGET_FLAGS,
  },
  update: {
    usage: 'tickwork jobs update <name> [options]',
    summary: 'Change only the given fields of a job (PATCH /jobs/{name}).',
    flags: UPDATE_FLAGS,
  },
  delete: {
    usage: 'tickwork jobs delete <name>',
    summary: 'Delete a job and its schedule (DELETE /jobs/{name}); its run history stays until it expires.',
    flags: TARGET_FLAGS,
  },
  pause: {
    usage: 'tickwork jobs pause <name>',
    summary: 'Disable a job and its schedule (POST /jobs/{name}/pause).',
    flags: TARGET_FLAGS,
  },
  resume: {
    usage: 'tickwork jobs resume <name>',
    summary: 'Enable a paused job (POST /jobs/{name}/resume).',
    flags: TARGET_FLAGS,
  },
};

/** What one `tickwork jobs …` call does: the request, where it goes, and how to print the answer. */
export interface JobsInvocation extends ApiInvocation {
  readonly subcommand: Subcommand;
  /** `list --all`: follow nextCursor. */
  readonly all: boolean;
}

function isSubcommand(name: string | undefined): name is Subcommand {
  return name !== undefined && Object.hasOwn(SUBCOMMANDS, name);
}

function jobsHelp(): string {
  return [
    'usage: tickwork jobs <subcommand> [options]',
    '',
    'subcommands:',
    ...Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(8)}${sub.summary}`),
    '',
    'Run `tickwork jobs <subcommand> --help` for its options.',
    '',
  ].join('\n');
}

/** Maps `tickwork jobs …` arguments to a request; UsageError for anything invalid (nothing is sent). */
export function parseJobsArgs(args: readonly string[], env: Env = {}): Parsed<JobsInvocation> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') return { help: jobsHelp() };
  if (!isSubcommand(name)) {
    if (name === undefined)
      throw new UsageError(`missing subcommand; expected one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
    throw new UsageError(
      `unknown subcommand "${name}"; expected one of ${Object.keys(SUBCOMMANDS).join(', ')}`,
    );
  }
  const sub = SUBCOMMANDS[name];
  const parsed = parseArgs(rest, sub.flags);
  if (parsed.help) return { help: helpText(sub.usage, sub.summary, sub.flags) };
  const common = parsed.flags as Flags<typeof TARGET_FLAGS>;
  const base = {
    subcommand: name,
    target: targetOptions(common, env),
    json: common.json === true,
    all: false,
  };
  switch (name) {
    case 'add':
      return { ...base, request: addRequest(parsed.positionals, parsed.flags as Flags<typeof ADD_FLAGS>) };
    case 'update':
      return {
        ...base,
        request: updateRequest(parsed.positionals, parsed.flags as Flags<typeof UPDATE_FLAGS>),
      };
    case 'list': {
      expectPositionals(parsed.positionals, []);
      const flags = parsed.flags as Flags<typeof LIST_FLAGS>;
      const query = {
        kind: flags.kind,
        name: flags.name,
        enabled: flags.enabled,
        limit: flags.limit === undefined ? undefined : String(flags.limit),
        cursor: flags.cursor,
      };
      return { ...base, all: flags.all === true, request: { method: 'GET', path: '/jobs', query } };
    }
    case 'get':
      return { ...base, request: { method: 'GET', path: jobPath(parsed.positionals) } };
    case 'delete':
      return { ...base, request: { method: 'DELETE', path: jobPath(parsed.positionals) } };
    case 'pause':
    case 'resume':
      return { ...base, request: { method: 'POST', path: `${jobPath(parsed.positionals)}/${name}` } };
  }
}

/** Checks a job name the way the API does, so a bad one is refused before anything is sent. */
export function checkJobName(name: string): string {
  if (!JOB_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `job name "${name}" must be 1-64 characters of letters, digits, "-", "_" and "." (the Scheduler schedule name rule)`,
    );
  }
  return name;
}

function jobPath(positionals: readonly string[]): string {
  const [name] = expectPositionals(positionals, ['name']) as [string];
  return routePath('/jobs/{name}', { name: checkJobName(name) });
}

function addRequest(positionals: readonly string[], flags: Flags<typeof ADD_FLAGS>): ApiRequest {
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument "${positionals[1]}"; expected <name>`);
  const given = positionals[0];
  let body: Record<string, unknown>;
  if (flags.file !== undefined) {
    const conflicting = Object.keys(flags).find(
      (flag) => Object.hasOwn(DEFINITION_FLAGS, flag) || flag === 'kind' || flag === 'disabled',
    );
    if (conflicting !== undefined) {
      throw new UsageError(`--${conflicting} cannot be combined with --file; put it in the file instead`);
    }
    body = readJsonObject(flags.file, '--file');
    if (given !== undefined) {
      if (body.name === undefined) body = { name: given, ...body };
      else if (body.name !== given) {
        throw new UsageError(
          `the job name "${given}" differs from "name": ${JSON.stringify(body.name)} in ${flags.file}`,
        );
      }
    }
    if (typeof body.name !== 'string') {
      throw new UsageError(
        `${flags.file} has no "name" string; add one or pass the name: tickwork jobs add <name> --file ...`,
      );
    }
    checkJobName(body.name);
  } else {
    if (given === undefined) throw new UsageError('missing <name>');
    if (flags.kind === undefined) throw new UsageError(`--kind is required (one of ${JOB_KINDS.join(', ')})`);
    if (flags.schedule === undefined)
      throw new UsageError('--schedule is required, e.g. --schedule "rate(5 minutes)"');
    body = {
      name: checkJobName(given),
      kind: flags.kind,
      ...definitionFields(flags),
      ...(flags.disabled === undefined ? {} : { enabled: !flags.disabled }),
    };
  }
  const name = body.name as string;
  return flags.replace === true
    ? { method: 'PUT', path: routePath('/jobs/{name}', { name }), body }
    : { method: 'POST', path: '/jobs', body };
}

function updateRequest(positionals: readonly string[], flags: Flags<typeof UPDATE_FLAGS>): ApiRequest {
  const path = jobPath(positionals);
  if (flags.enabled !== undefined && flags.disabled !== undefined) {
    throw new UsageError('--enabled and --disabled cannot be given together');
  }
  const body: Record<string, unknown> = {
    ...definitionFields(flags),
    ...(flags.enabled === undefined ? {} : { enabled: flags.enabled }),
    ...(flags.disabled === undefined ? {} : { enabled: !flags.disabled }),
  };
  for (const field of flags.clear ?? []) {
    const apiField = Object.hasOwn(CLEARABLE, field) ? CLEARABLE[field] : undefined;
    if (apiField === undefined) {
      throw new UsageError(
        `--clear ${field}: not a field that can be cleared; expected one of description, tz, flexible-window, start, end, tags, overlap, run-immediately`,
      );
    }
    if (Object.hasOwn(body, apiField))
      throw new UsageError(`--clear ${field} conflicts with a new value for it`);
    body[apiField] = null;
  }
  if (Object.keys(body).length === 0) {
    throw new UsageError(
      'nothing to update; give at least one option, e.g. --schedule, --description or --clear',
    );
  }
  return { method: 'PATCH', path, body };
}

/** The API fields of the definition flags that were given. */
function definitionFields(flags: Flags<typeof DEFINITION_FLAGS>): Record<string, unknown> {
  if (flags.config !== undefined && flags['config-file'] !== undefined) {
    throw new UsageError('--config and --config-file cannot be given together');
  }
  const config =
    flags.config !== undefined
      ? parseJsonObject(flags.config, '--config')
      : flags['config-file'] !== undefined
        ? readJsonObject(flags['config-file'], '--config-file')
        : undefined;
  const fields: Record<string, unknown> = {
    schedule: flags.schedule,
    timezone: flags.tz,
    description: flags.description,
    runImmediately: flags['run-immediately'],
    overlap: flags.overlap,
    flexibleWindowMinutes: flags['flexible-window'],
    startDate: flags.start === undefined ? undefined : checkInstant('--start', flags.start),
    endDate: flags.end === undefined ? undefined : checkInstant('--end', flags.end),
    tags: flags.tag === undefined ? undefined : parseTags(flags.tag),
    config,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function checkInstant(flag: string, value: string): string {
  if (parseInstant(value) === undefined) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant with a time zone, e.g. 2026-01-31T09:00:00Z, got "${value}"`,
    );
  }
  return value;
}

export function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--tag must be KEY=VALUE with a non-empty key, got "${pair}"`);
    const key = pair.slice(0, equals);
    if (Object.hasOwn(tags, key)) throw new UsageError(`--tag ${key} is given more than once`);
    tags[key] = pair.slice(equals + 1);
  }
  return tags;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    throw new UsageError(`${what} must be a JSON object, got ${got}`);
  }
  return value;
}

function readJsonObject(path: string, flag: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseJsonObject(text, `${flag} ${path}`);
}

const VERB: Readonly<Record<Subcommand, string>> = {
  add: 'created',
  update: 'updated',
  pause: 'paused',
  resume: 'resumed',
  delete: 'deleted',
  get: '',
  list: '',
};

async function listAll(client: ApiClient, request: ApiRequest): Promise<{ jobs: unknown[] }> {
  const jobs: unknown[] = [];
  let cursor = request.query?.cursor;
  do {
    const answer = await client.request({ ...request, query: { ...request.query, cursor } });
    const body = isRecord(answer.body) ? answer.body : {};
    if (Array.isArray(body.jobs)) jobs.push(...body.jobs);
    cursor = typeof body.nextCursor === 'string' ? body.nextCursor : undefined;
  } while (cursor !== undefined);
  return { jobs };
}

async function execute(invocation: JobsInvocation): Promise<number> {
  const client = await connect(invocation.target);
  if (invocation.all) {
    const everything = await listAll(client, invocation.request);
    write(invocation.json ? json(everything) : jobsTable(everything.jobs));
    return 0;
  }
  const answer = await client.request(invocation.request);
  if (invocation.json) {
    if (answer.body !== undefined) write(json(answer.body));
    return 0;
  }
  const body = isRecord(answer.body) ? answer.body : {};
  switch (invocation.subcommand) {
    case 'list':
      write(jobsTable(body.jobs) + nextPageHint(body, 'tickwork jobs list'));
      return 0;
    case 'get':
      write(jobDetails(body));
      return 0;
    case 'delete':
      write(`deleted job ${decodeURIComponent(invocation.request.path.slice('/jobs/'.length))}`);
      return 0;
    default: {
      const created =
        invocation.subcommand === 'add' && invocation.request.method === 'PUT' && answer.status === 200;
      write(
        `${created ? 'replaced' : VERB[invocation.subcommand]} job ${String(body.name)}\n${jobDetails(body)}`,
      );
      return 0;
    }
  }
}

export const jobsCommand = defineCommand({
  summary: 'add, list, get, update, delete, pause and resume jobs',
  label: (args) => (isSubcommand(args[0]) ? `jobs ${args[0]}` : 'jobs'),
  parse: parseJobsArgs,
  execute,
});
