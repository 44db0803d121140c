/**
 * `tickwork jobs add|list|get|update|delete|pause|resume`: the jobs API from the command line.
 * Each subcommand maps its arguments to one request (`parseJobsArgs`, pure but for reading
 * `--file`/`--config-file`), sends it, and prints a summary or, with `--json`, the answer.
 */
import type { Command } from 'commander';
import type {
  Cursor,
  Job,
  JobDefinition,
  JobListQuery,
  JobPatch,
  TickworkClient,
} from '../../client/index.ts';
import { JOB_NAME_CHARACTERS, JOB_NAME_PREFIX_PATTERN } from '../../shared/jobs/name.ts';
import { JOB_KINDS, type JobKind } from '../../shared/kinds/registry.ts';
import { isRecord } from '../api-client.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  clientFor,
  defineCommand,
  type Env,
  nextPageHint,
  printWarnings,
  type TargetFlags,
  targetArgs,
  targetOptions,
  write,
} from '../api-command.ts';
import {
  act,
  type CliCommand,
  listOption,
  oneOf,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { parseInstant } from '../instant.ts';
import { jsonObjectOption, readJsonObject } from '../json-input.ts';
import { checkCursor, checkJobName } from '../names.ts';
import { json } from '../output.ts';
import { jobDetails, jobsTable } from '../render.ts';
import { COMMANDS } from '../summaries.ts';
import {
  addOutputOption,
  jsonLines,
  type OutputFlags,
  type OutputFormat,
  outputFormat,
  stdoutTerminal,
} from '../terminal.ts';
import { UsageError } from '../usage-error.ts';
import { defineToggle, executeToggle, type ToggleInvocation } from './jobs-toggle.ts';

/** The flags that define a job, shared by `add` and `update`, as commander reads them. */
interface DefinitionFlags {
  readonly schedule?: string;
  readonly tz?: string;
  readonly description?: string;
  readonly runImmediately?: boolean;
  readonly overlap?: 'skip' | 'allow';
  readonly flexibleWindow?: number;
  readonly start?: string;
  readonly end?: string;
  readonly tag?: string[];
  readonly config?: string;
  readonly configFile?: string;
}

interface AddFlags extends DefinitionFlags, TargetFlags {
  readonly kind?: string;
  readonly disabled?: boolean;
  readonly file?: string;
  readonly replace?: boolean;
}

interface UpdateFlags extends DefinitionFlags, TargetFlags {
  readonly enabled?: boolean;
  readonly disabled?: boolean;
  readonly clear?: string[];
}

interface ListFlags extends TargetFlags, OutputFlags {
  readonly kind?: string;
  readonly name?: string;
  readonly enabled?: 'true' | 'false';
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

/** The options --file replaces: everything that defines the job. */
const DEFINITION_KEYS = [
  'kind',
  'schedule',
  'tz',
  'description',
  'runImmediately',
  'overlap',
  'flexibleWindow',
  'start',
  'end',
  'tag',
  'config',
  'configFile',
  'disabled',
] as const;

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
  // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs, a name here
  then: 'then',
};

type Subcommand = 'add' | 'list' | 'get' | 'update' | 'delete' | 'pause' | 'resume';

/** What a jobs call answered: the API's answer (what --json prints); for `add --replace`, whether it replaced a job. */
export interface JobsAnswer {
  readonly body: unknown;
  readonly replaced?: boolean;
}

/** What one `tickwork jobs …` call does: the typed client's method, where it goes, and how to print the answer. */
export interface JobsInvocation extends ClientInvocation<JobsAnswer> {
  readonly subcommand: Subcommand;
  /** `list --all`: follow nextCursor. */
  readonly all: boolean;
  /** `list` and `get`: how the answer is printed (`--output`, `--json`). */
  readonly output?: OutputFormat;
}

/** The answer of a call whose answer is printed as it is. */
const answered = (body: Promise<unknown>): Promise<JobsAnswer> => body.then((value) => ({ body: value }));

/** `--name` of `jobs list` is the start of a job name: the same characters, at most as long. */
function checkNamePrefix(prefix: string): string {
  if (!JOB_NAME_PREFIX_PATTERN.test(prefix)) {
    throw new UsageError(`--name must be the start of a job name (${JOB_NAME_CHARACTERS}), got "${prefix}"`);
  }
  return prefix;
}

function addDefinitionOptions(command: Command, on: 'add' | 'update'): void {
  valueOption(
    command,
    '--schedule <EXPR>',
    'cron(...), rate(...), at(...), 5-field crontab, @daily, hourly/daily/weekly, PT15M …',
  );
  valueOption(command, '--tz <ZONE>', 'IANA time zone of the schedule (default UTC)');
  valueOption(command, '--description <TEXT>', 'what the job is for');
  command.option('--run-immediately', 'also run once right away (when created, or when its timing changes)');
  valueOption(
    command,
    '--overlap <skip|allow>',
    'when a run is still going (default skip)',
    oneOf(['skip', 'allow']),
  );
  valueOption(
    command,
    '--flexible-window <MIN>',
    'let each run start anywhere in this many minutes after its slot (1-1440)',
    wholeNumber(1, 1440),
  );
  valueOption(
    command,
    '--start <ISO>',
    'no runs before this instant, e.g. 2026-01-31T09:00:00Z',
    checkInstant,
  );
  valueOption(command, '--end <ISO>', 'no runs after this instant', checkInstant);
  listOption(
    command,
    '--tag <KEY=VALUE>',
    on === 'add'
      ? 'a tag; repeat for more'
      : 'add or change one tag, leaving the others; KEY= (empty value) removes that tag; repeat for more',
  );
  valueOption(
    command,
    '--config <JSON>',
    on === 'add'
      ? 'kind-specific config as a JSON object'
      : 'merged into the config (JSON Merge Patch: null removes a key)',
  );
  valueOption(command, '--config-file <PATH>', 'read the --config JSON object from a file');
}

function base(subcommand: Subcommand, flags: TargetFlags, env: Env) {
  return {
    subcommand,
    command: `jobs ${subcommand}`,
    target: targetOptions(flags, env),
    json: flags.json === true,
    all: false,
  };
}

/** Adds `tickwork jobs` and its subcommands to `root`; each action hands its invocation to `done`. */
/** What a `tickwork jobs …` line parses to: one typed-client call, or a pause/resume walk. */
export type JobsCommandInvocation = JobsInvocation | ToggleInvocation;

export function defineJobs(
  root: CliCommand,
  env: Env,
  done: (invocation: JobsCommandInvocation) => void,
): void {
  const jobs = root
    .command('jobs')
    .summary(COMMANDS.jobs.summary)
    .description(`Jobs: ${COMMANDS.jobs.summary}.`);

  const add = jobs
    .command('add [name]')
    .usage('<name> --kind KIND --schedule EXPR [options]  |  add [<name>] --file job.json [options]')
    .summary('create a job; with --replace, create it or replace the one of that name')
    .description('Create a job. With --replace, create it or replace the job of that name.');
  valueOption(add, '--kind <KIND>', `job kind: ${JOB_KINDS.join(', ')}`, oneOf(JOB_KINDS));
  addDefinitionOptions(add, 'add');
  add.option('--disabled', 'create the job paused');
  valueOption(add, '--file <PATH>', 'read the whole job definition (JSON) from a file');
  add.option('--replace', 'create or replace, instead of create-only');
  addTargetOptions(add);
  act<AddFlags, JobsInvocation>(add, done, ([given], flags, command) => {
    const { call, name } = addCall(given, flags, command);
    return { ...base('add', flags, env), call, job: name, fromFlags: flags.file === undefined };
  });

  const list = jobs
    .command('list')
    .summary('list jobs, one page at a time unless --all')
    .description('List jobs, one page at a time unless --all.');
  valueOption(list, '--kind <KIND>', 'only jobs of this kind', oneOf(JOB_KINDS));
  valueOption(list, '--name <PREFIX>', 'only jobs whose name starts with this', checkNamePrefix);
  valueOption(list, '--enabled <true|false>', 'only enabled or only paused jobs', oneOf(['true', 'false']));
  valueOption(list, '--limit <N>', 'jobs per page (1-100)', wholeNumber(1, 100));
  valueOption(
    list,
    '--cursor <CURSOR>',
    'continue from a previous page (the cursor of a "more:" line)',
    checkCursor,
  );
  list.option('--all', 'follow every page');
  addOutputOption(list);
  addTargetOptions(list);
  act<ListFlags, JobsInvocation>(list, done, (_, flags) => {
    const filters = [
      ...(flags.kind === undefined ? [] : ['--kind', flags.kind]),
      ...(flags.name === undefined ? [] : ['--name', flags.name]),
      ...(flags.enabled === undefined ? [] : ['--enabled', flags.enabled]),
      ...(flags.limit === undefined ? [] : ['--limit', String(flags.limit)]),
    ];
    const query = {
      ...(flags.kind === undefined ? {} : { kind: flags.kind as JobKind }),
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.enabled === undefined ? {} : { enabled: flags.enabled === 'true' }),
      ...(flags.limit === undefined ? {} : { pageSize: flags.limit }),
      ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
    };
    return {
      ...base('list', flags, env),
      output: outputFormat(flags),
      all: flags.all === true,
      call: (client) => (flags.all === true ? listAll(client, query) : answered(client.jobs.page(query))),
      more: ['tickwork', 'jobs', 'list', ...filters, ...targetArgs(flags)],
    };
  });

  const get = jobs.command('get <name>').summary('show one job').description('Show one job.');
  addOutputOption(get);
  addTargetOptions(get);
  act<TargetFlags & OutputFlags, JobsInvocation>(get, done, ([given = ''], flags) => {
    const job = checkJobName(given);
    return {
      ...base('get', flags, env),
      output: outputFormat(flags),
      call: (client) => answered(client.jobs.get(job)),
      job,
    };
  });

  const update = jobs
    .command('update <name>')
    .summary('change only the given fields of a job; tags and --config merge into what is there')
    .description(
      'Change only the given fields of a job. --tag adds or changes one tag and leaves the others\n' +
        '(KEY= removes it; --clear tags removes them all); --config is merged into the config.',
    );
  addDefinitionOptions(update, 'update');
  update.option('--enabled', 'enable the job (same as resume)');
  update.option('--disabled', 'disable the job (same as pause)');
  listOption(
    update,
    '--clear <FIELD>',
    'reset a field to its default: description, tz, flexible-window, start, end, tags (all of them), overlap, run-immediately, then (the chained jobs)',
  );
  addTargetOptions(update);
  act<UpdateFlags, JobsInvocation>(update, done, ([job = ''], flags) => ({
    ...base('update', flags, env),
    call: updateCall(job, flags),
    job,
    fromFlags: true,
  }));
  const remove = jobs
    .command('delete <name>')
    .summary('delete a job and its schedule; its run history stays until it expires')
    .description(
      'Delete a job and its schedule; its run history stays until it expires.\n' +
        'A job that other jobs chain to (their then names it) is deleted only with --unlink-chains.',
    );
  remove.option(
    '--unlink-chains',
    'first remove the links of the jobs that chain to it, instead of refusing',
  );
  addTargetOptions(remove);
  act<TargetFlags & { readonly unlinkChains?: boolean }, JobsInvocation>(
    remove,
    done,
    ([given = ''], flags) => {
      const job = checkJobName(given);
      const options = { unlinkChains: flags.unlinkChains === true };
      return {
        ...base('delete', flags, env),
        call: (client) => answered(client.jobs.delete(job, options)),
        job,
      };
    },
  );
  defineToggle(jobs, 'pause', env, done);
  defineToggle(jobs, 'resume', env, done);
}

/** Maps `tickwork jobs …` arguments to a request; UsageError for anything invalid (nothing is sent). */
export function parseJobsArgs(args: readonly string[], env: Env = {}): Parsed<JobsCommandInvocation> {
  return parseCommandLine(['jobs', ...args], (root, done) => defineJobs(root, env, done));
}

function addCall(
  given: string | undefined,
  flags: AddFlags,
  command: Command,
): { call: JobsInvocation['call']; name: string } {
  let body: Record<string, unknown>;
  if (flags.file !== undefined) {
    const conflicting = command.options.find(
      (option) =>
        (DEFINITION_KEYS as readonly string[]).includes(option.attributeName()) &&
        command.getOptionValue(option.attributeName()) !== undefined,
    );
    if (conflicting !== undefined) {
      throw new UsageError(`${conflicting.long} cannot be combined with --file; put it in the file instead`);
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
      ...definitionFields(flags, parseTags),
      ...(flags.disabled === undefined ? {} : { enabled: !flags.disabled }),
    };
  }
  const name = body.name as string;
  // The API checks the definition (and names every problem); the CLI only shapes it from flags or a file.
  const definition = body as JobDefinition;
  const call: JobsInvocation['call'] =
    flags.replace === true
      ? async (client) => {
          const { job, created } = await client.jobs.upsert(definition);
          return { body: job, replaced: !created };
        }
      : (client) => answered(client.jobs.create(definition));
  return { call, name };
}

function updateCall(name: string, flags: UpdateFlags): JobsInvocation['call'] {
  const job = checkJobName(name);
  if (flags.enabled !== undefined && flags.disabled !== undefined) {
    throw new UsageError('--enabled and --disabled cannot be given together');
  }
  const body: Record<string, unknown> = {
    ...definitionFields(flags, parseTagPatch),
    ...(flags.enabled === undefined ? {} : { enabled: flags.enabled }),
    ...(flags.disabled === undefined ? {} : { enabled: !flags.disabled }),
  };
  for (const field of flags.clear ?? []) {
    const apiField = Object.hasOwn(CLEARABLE, field) ? CLEARABLE[field] : undefined;
    if (apiField === undefined) {
      throw new UsageError(
        `--clear ${field}: not a field that can be cleared; expected one of description, tz, flexible-window, start, end, tags, overlap, run-immediately, then`,
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
  // As with `add`, the API checks the patch.
  return (client) => answered(client.jobs.update(job, body as JobPatch));
}

/** The API fields of the definition flags that were given; `tags` reads `--tag` with `tagsOf`. */
function definitionFields(
  flags: DefinitionFlags,
  tagsOf: (pairs: readonly string[]) => Record<string, unknown>,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    schedule: flags.schedule,
    timezone: flags.tz,
    description: flags.description,
    runImmediately: flags.runImmediately,
    overlap: flags.overlap,
    flexibleWindowMinutes: flags.flexibleWindow,
    startDate: flags.start,
    endDate: flags.end,
    tags: flags.tag === undefined ? undefined : tagsOf(flags.tag),
    config: jsonObjectOption('--config', flags.config, flags.configFile),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function checkInstant(value: string, flag: string): string {
  if (parseInstant(value) === undefined) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant with a time zone, e.g. 2026-01-31T09:00:00Z, got "${value}"`,
    );
  }
  return value;
}

function tagPairs(pairs: readonly string[]): Array<[string, string]> {
  const seen = new Set<string>();
  return pairs.map((pair) => {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--tag must be KEY=VALUE with a non-empty key, got "${pair}"`);
    const key = pair.slice(0, equals);
    if (seen.has(key)) throw new UsageError(`--tag ${key} is given more than once`);
    seen.add(key);
    return [key, pair.slice(equals + 1)];
  });
}

/** `--tag` of `jobs add`: the job's tags (an empty value is a tag with an empty value). */
export function parseTags(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(tagPairs(pairs));
}

/**
 * `--tag` of `jobs update`: a JSON Merge Patch of the tags, so only the named tags change; `KEY=`
 * (empty value) removes that tag (`null`).
 */
export function parseTagPatch(pairs: readonly string[]): Record<string, string | null> {
  return Object.fromEntries(tagPairs(pairs).map(([key, value]) => [key, value === '' ? null : value]));
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

/** `list --all`: every page, in the pages' size (`--limit`), from `--cursor` when given. */
async function listAll(client: TickworkClient, query: JobListQuery & Cursor): Promise<JobsAnswer> {
  const jobs: Job[] = [];
  for await (const job of client.jobs.list(query)) jobs.push(job);
  return { body: { jobs } };
}

function isToggle(invocation: JobsCommandInvocation): invocation is ToggleInvocation {
  return 'selection' in invocation;
}

/** `jobs list` and `jobs get` in the format asked for; undefined for the other subcommands. */
function listed(invocation: JobsInvocation, body: Record<string, unknown>): string | undefined {
  const format = invocation.output ?? 'table';
  const style = { wide: format === 'wide', terminal: stdoutTerminal() };
  if (invocation.subcommand === 'get') {
    if (format === 'json') return json(body);
    return format === 'jsonl' ? jsonLines([body]) : jobDetails(body);
  }
  if (invocation.subcommand !== 'list') return undefined;
  const jobs = Array.isArray(body.jobs) ? body.jobs : [];
  if (format === 'json') return json(body);
  // JSON Lines are the items alone; the "more:" hint goes to stderr so stdout stays one job a line.
  if (format === 'jsonl') {
    const hint = nextPageHint(body, invocation.more).replace(/^\n/, '');
    if (hint !== '') process.stderr.write(`${hint}\n`);
    return jsonLines(jobs);
  }
  return jobsTable(jobs, style) + nextPageHint(body, invocation.more);
}

async function execute(invocation: JobsCommandInvocation): Promise<number> {
  if (isToggle(invocation)) return executeToggle(invocation);
  const answer = await invocation.call(clientFor(invocation.target));
  if (invocation.all) {
    const view = listed(invocation, isRecord(answer.body) ? answer.body : {}) ?? '';
    if (view !== '') write(view);
    return EXIT.success;
  }
  printWarnings(answer.body);
  const body = isRecord(answer.body) ? answer.body : {};
  const view = listed(invocation, body);
  if (view !== undefined) {
    if (view !== '') write(view);
    return EXIT.success;
  }
  if (invocation.json) {
    if (answer.body !== undefined) write(json(answer.body));
    return EXIT.success;
  }
  switch (invocation.subcommand) {
    case 'list':
    case 'get':
      return EXIT.success;
    case 'delete':
      write(`deleted job ${invocation.job}`);
      return EXIT.success;
    default: {
      write(
        `${answer.replaced === true ? 'replaced' : VERB[invocation.subcommand]} job ${String(body.name)}\n${jobDetails(body)}`,
      );
      return EXIT.success;
    }
  }
}

export const jobsCommand = defineCommand({
  name: 'jobs',
  summary: COMMANDS.jobs.summary,
  parse: parseJobsArgs,
  execute,
  context: (invocation) => invocation,
});
