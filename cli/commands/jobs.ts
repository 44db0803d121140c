/**
 * `tickwork jobs add|list|get|update|delete|pause|resume`: the jobs API from the command line.
 * Each subcommand maps its arguments to one request (`parseJobsArgs`, pure but for reading
 * `--file`/`--config-file`), sends it, and prints a summary or, with `--json`, the answer.
 */
import type { Cursor, Job, JobListQuery, TickworkClient } from '../../client/index.ts';
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
import {
  type AddFlags,
  addCall,
  addDefinitionOptions,
  answered,
  type UpdateFlags,
  updateCall,
} from './jobs-definition.ts';
import { defineToggle, executeToggle, type ToggleInvocation } from './jobs-toggle.ts';

interface ListFlags extends TargetFlags, OutputFlags {
  readonly kind?: string;
  readonly name?: string;
  readonly enabled?: 'true' | 'false';
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

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

/** `--name` of `jobs list` is the start of a job name: the same characters, at most as long. */
function checkNamePrefix(prefix: string): string {
  if (!JOB_NAME_PREFIX_PATTERN.test(prefix)) {
    throw new UsageError(`--name must be the start of a job name (${JOB_NAME_CHARACTERS}), got "${prefix}"`);
  }
  return prefix;
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
