/**
 * `tickwork jobs pause|resume [<name>] [--kind K] [--tag k=v ...] [--note "…"]`: one job by name, or
 * every job the selectors match (listed through the typed client's paging; tags are matched here, the
 * API filters by kind only). A bulk call needs a selector: a bare `jobs pause` would pause everything.
 * It reports what changed and what was already so; a paused job given a new note gets it.
 */
import type { Command } from 'commander';
import type { Job } from '../../client/index.ts';
import { ValidationError } from '../../shared/errors.ts';
import { parsePauseRequest } from '../../shared/jobs/validation.ts';
import { JOB_KINDS, type JobKind } from '../../shared/kinds/registry.ts';
import {
  addTargetOptions,
  clientFor,
  type Env,
  type TargetFlags,
  targetOptions,
  write,
} from '../api-command.ts';
import { act, listOption, oneOf, valueOption } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { checkJobName } from '../names.ts';
import { json } from '../output.ts';
import { jobDetails } from '../render.ts';
import { UsageError } from '../usage-error.ts';
import type { JobsInvocation } from './jobs.ts';

export type Toggle = 'pause' | 'resume';

/** Which jobs a pause or resume is for: one by name, or those of a kind and with every tag given. */
export interface Selection {
  readonly name?: string;
  readonly kind?: JobKind;
  readonly tags: Readonly<Record<string, string>>;
}

/** A pause or resume: its own walk (executeToggle) reads each job before it writes, so no single call. */
export interface ToggleInvocation extends Omit<JobsInvocation, 'call'> {
  readonly subcommand: Toggle;
  readonly selection: Selection;
  readonly note?: string;
}

interface ToggleFlags extends TargetFlags {
  readonly kind?: JobKind;
  readonly tag?: string[];
  readonly note?: string;
}

/** Adds `jobs pause` or `jobs resume` to `jobs`. */
export function defineToggle(
  jobs: Command,
  toggle: Toggle,
  env: Env,
  done: (invocation: ToggleInvocation) => void,
): void {
  const summary =
    toggle === 'pause'
      ? 'disable a job and its schedule, or every job of --kind/--tag; --note says why'
      : 'enable a paused job (a rate schedule continues on its anchor), or every job of --kind/--tag';
  const command = jobs
    .command(`${toggle} [name]`)
    .summary(summary)
    .description(
      `${summary[0]?.toUpperCase()}${summary.slice(1)}.\n` +
        'With selectors instead of a name, every matching job; prints what changed and what already was.',
    );
  valueOption(command, '--kind <KIND>', 'every job of this kind', oneOf(JOB_KINDS));
  listOption(command, '--tag <KEY=VALUE>', 'every job with this tag; repeat: jobs with all of them');
  if (toggle === 'pause') {
    valueOption(command, '--note <TEXT>', 'why: shown in status and the job view until resume', checkNote);
  }
  addTargetOptions(command);
  act<ToggleFlags, ToggleInvocation>(command, done, ([given], flags) => {
    const tags = selectorTags(flags.tag ?? []);
    const selectors = flags.kind !== undefined || Object.keys(tags).length > 0;
    if (given !== undefined && selectors) {
      throw new UsageError('give a job name or selectors (--kind, --tag), not both');
    }
    if (given === undefined && !selectors) {
      throw new UsageError(`missing <name>; to ${toggle} several jobs, select them with --kind or --tag`);
    }
    const name = given === undefined ? undefined : checkJobName(given);
    return {
      subcommand: toggle,
      command: `jobs ${toggle}`,
      target: targetOptions(flags, env),
      json: flags.json === true,
      all: false,
      selection: {
        ...(name === undefined ? {} : { name }),
        ...(flags.kind === undefined ? {} : { kind: flags.kind }),
        tags,
      },
      ...(flags.note === undefined ? {} : { note: flags.note }),
      ...(name === undefined ? {} : { job: name }),
    };
  });
}

/** The API's own rule for a note (shared/jobs/validation.ts), checked before anything is sent. */
function checkNote(text: string, flag: string): string {
  try {
    return parsePauseRequest({ note: text }) ?? text;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const rule = error.details[0]?.message ?? error.message;
    throw new UsageError(`${flag} ${rule.replace(/^note:?\s*/, '')}`);
  }
}

function selectorTags(pairs: readonly string[]): Record<string, string> {
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

/** True when `job` is one the selection names. */
export function matches(job: Pick<Job, 'kind' | 'tags' | 'state'>, selection: Selection): boolean {
  // A cancelled one-time job is history kept for a while, not a job to pause or resume.
  if (job.state === 'cancelled') return false;
  if (selection.kind !== undefined && job.kind !== selection.kind) return false;
  return Object.entries(selection.tags).every(([key, value]) => job.tags[key] === value);
}

/** What a pause or resume did to each job. */
export interface ToggleReport {
  readonly changed: Job[];
  /** Already in that state (a paused job's note may have been replaced: see `noted`). */
  readonly unchanged: Job[];
  /** Already paused jobs whose note this call replaced. */
  readonly noted: Job[];
}

/** The state `toggle` leaves a job in, and whether this job needs a call to get there. */
function needsCall(job: Job, toggle: Toggle, note: string | undefined): 'change' | 'note' | 'none' {
  const target = toggle === 'resume';
  if (job.enabled !== target) return 'change';
  return toggle === 'pause' && note !== undefined && note !== job.pauseNote ? 'note' : 'none';
}

export async function executeToggle(invocation: ToggleInvocation): Promise<number> {
  const client = clientFor(invocation.target);
  const { selection, subcommand: toggle, note } = invocation;
  const candidates: Job[] = [];
  if (selection.name !== undefined) {
    candidates.push(await client.jobs.get(selection.name));
  } else {
    for await (const job of client.jobs.list(selection.kind === undefined ? {} : { kind: selection.kind })) {
      if (matches(job, selection)) candidates.push(job);
    }
  }
  const report: ToggleReport = { changed: [], unchanged: [], noted: [] };
  for (const job of candidates) {
    const call = needsCall(job, toggle, note);
    if (call === 'none') {
      report.unchanged.push(job);
      continue;
    }
    const after =
      toggle === 'pause'
        ? await client.jobs.pause(job.name, note === undefined ? {} : { note })
        : await client.jobs.resume(job.name);
    (call === 'change' ? report.changed : report.noted).push(after);
  }
  write(selection.name === undefined ? bulkView(report, invocation) : singleView(report, invocation));
  return EXIT.success;
}

const PAST: Readonly<Record<Toggle, string>> = { pause: 'paused', resume: 'resumed' };
const STATE: Readonly<Record<Toggle, string>> = { pause: 'paused', resume: 'enabled' };

function singleView(report: ToggleReport, invocation: ToggleInvocation): string {
  const job = report.changed[0] ?? report.noted[0] ?? report.unchanged[0];
  if (invocation.json) return json(job);
  const head =
    report.changed.length > 0
      ? `${PAST[invocation.subcommand]} job ${job?.name}`
      : report.noted.length > 0
        ? `job ${job?.name} was already paused; its note is now "${job?.pauseNote}"`
        : `job ${job?.name} was already ${STATE[invocation.subcommand]}`;
  return `${head}\n${jobDetails(job)}`;
}

/** One line per job (`paused nightly`, `already paused weekly`), then the counts. */
function bulkView(report: ToggleReport, invocation: ToggleInvocation): string {
  const past = PAST[invocation.subcommand];
  const state = STATE[invocation.subcommand];
  if (invocation.json) {
    return json({
      [past]: report.changed,
      noteChanged: report.noted,
      [`already${capital(state)}`]: report.unchanged,
    });
  }
  const total = report.changed.length + report.noted.length + report.unchanged.length;
  if (total === 0) return `no job matches ${selectorText(invocation.selection)}; nothing changed`;
  const lines = [
    ...report.changed.map((job) => `${past} ${job.name}`),
    ...report.noted.map((job) => `already paused ${job.name} (note changed)`),
    ...report.unchanged.map((job) => `already ${state} ${job.name}`),
  ];
  const counts = [
    `${report.changed.length} ${past}`,
    ...(report.noted.length > 0 ? [`${report.noted.length} note changed`] : []),
    `${report.noted.length + report.unchanged.length} already ${state}`,
  ];
  return `${lines.join('\n')}\n${counts.join(', ')}`;
}

function capital(word: string): string {
  return `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`;
}

function selectorText(selection: Selection): string {
  return [
    ...(selection.kind === undefined ? [] : [`--kind ${selection.kind}`]),
    ...Object.entries(selection.tags).map(([key, value]) => `--tag ${key}=${value}`),
  ].join(' ');
}
