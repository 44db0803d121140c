/**
 * What defines a job on the command line, for `tickwork jobs add` and `update`: the definition flags
 * (`addDefinitionOptions`), and the one request each maps to (`addCall`: the flags or a `--file`;
 * `updateCall`: a patch of the flags given and the fields `--clear` resets). The API checks the
 * definition and names every problem; these only shape it.
 */
import type { Command } from 'commander';
import type { JobDefinition, JobPatch } from '../../client/index.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import type { TargetFlags } from '../api-command.ts';
import { listOption, oneOf, valueOption, wholeNumber } from '../command-line.ts';
import { parseInstant } from '../instant.ts';
import { jsonObjectOption, readJsonObject } from '../json-input.ts';
import { checkJobName } from '../names.ts';
import { UsageError } from '../usage-error.ts';
import type { JobsAnswer, JobsInvocation } from './jobs.ts';

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

export interface AddFlags extends DefinitionFlags, TargetFlags {
  readonly kind?: string;
  readonly disabled?: boolean;
  readonly file?: string;
  readonly replace?: boolean;
}

export interface UpdateFlags extends DefinitionFlags, TargetFlags {
  readonly enabled?: boolean;
  readonly disabled?: boolean;
  readonly clear?: string[];
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

/** The answer of a call whose answer is printed as it is. */
export const answered = (body: Promise<unknown>): Promise<JobsAnswer> =>
  body.then((value) => ({ body: value }));

export function addDefinitionOptions(command: Command, on: 'add' | 'update'): void {
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

export function addCall(
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

export function updateCall(name: string, flags: UpdateFlags): JobsInvocation['call'] {
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
