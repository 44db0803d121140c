/**
 * `tickwork.jobs.yaml`: a list of jobs with exactly the API's fields and rules, and per-stage overrides.
 *
 * ```yaml
 * jobs:
 *   - name: nightly-eval          # the body of POST /jobs, as YAML
 *     kind: task
 *     schedule: cron(0 2 * * ? *)
 *     config: {target: {type: lambda, functionArn: arn:aws:lambda:…}}
 * stages:
 *   prod:
 *     nightly-eval: {timezone: Europe/Berlin}   # merged over the job (RFC 7396) before validation
 * ```
 *
 * Each job (with its stage's override merged) is checked by the API's own schema and by every rule of
 * the create use case that needs no I/O (shared/jobs/definition.ts), so a file that loads is one the API
 * accepts, but for what only the server knows (chain targets outside the file, secrets). Loading reads
 * the file(s) and nothing else: `cdk synth` calls it as well as the CLI.
 */
import type { RuntimeMode } from '../../config.ts';
import { type Problem, ValidationError } from '../../errors.ts';
import { checkJsonDocument, isPlainObject, mergePatch } from '../../validation.ts';
import { definitionFields } from '../definition.ts';
import { type JobDefinition, jobDefinitionSchema } from '../validation.ts';
import { fileCycleProblems } from './cycles.ts';
import { formatProblem, JobsFileError, type JobsFileProblem } from './errors.ts';
import { displayPath, jobsFilePaths, locate, readSource, type SourceFile } from './source.ts';

/** The file's own keys: anything else at its root is refused, as unknown fields of a job are. */
const ROOT_KEYS = ['jobs', 'stages'] as const;

export interface LoadJobsFileOptions {
  /** The stage whose overrides (`stages.<stage>`) are merged over the jobs. @default none */
  readonly stage?: string;
  /** For the rules that need the clock (an at() or endDate in the future). @default the current time */
  readonly now?: Date;
  /**
   * `aws` adds the deployed-only config rules (https targets); `cdk synth` passes it. Locally the API
   * checks the rest when the file is applied. @default 'local'
   */
  readonly mode?: RuntimeMode;
}

export interface LoadedJobsFile {
  /** The jobs in file order (files by name), each parsed by the API's schema, overrides merged. */
  readonly jobs: JobDefinition[];
  /** The files read. */
  readonly files: string[];
  /** The stages the files declare (`stages:` keys, with or without overrides), sorted. */
  readonly stages: string[];
}

/** One job of the file: where it is, and its value with the stage's override merged. */
export interface FileJob {
  readonly source: SourceFile;
  readonly index: number;
  readonly value: unknown;
  readonly override?: Override;
}

interface Override {
  readonly source: SourceFile;
  readonly stage: string;
  readonly name: string;
  readonly value: unknown;
}

/** Reads `path` (a file, or a directory of `*.yaml`/`*.yml`); throws JobsFileError listing every problem. */
export function loadJobsFile(path: string, options: LoadJobsFileOptions = {}): LoadedJobsFile {
  const files = jobsFilePaths(path);
  const problems: JobsFileProblem[] = [];
  const sources: SourceFile[] = [];
  for (const file of files) {
    const read = readSource(file);
    problems.push(...read.problems);
    if (read.source !== undefined) sources.push(read.source);
  }
  if (problems.length > 0) throw new JobsFileError(problems);

  const entries: { source: SourceFile; index: number; value: unknown }[] = [];
  const overrides: Override[] = [];
  const declared = new Set<string>();
  for (const source of sources) {
    const read = readRoot(source);
    problems.push(...read.problems);
    entries.push(...read.entries);
    overrides.push(...read.overrides);
    for (const stage of read.stages) declared.add(stage);
  }
  const named = new Map<string, { source: SourceFile; index: number }>();
  for (const entry of entries) {
    const name = isPlainObject(entry.value) ? entry.value.name : undefined;
    if (typeof name !== 'string') continue;
    const first = named.get(name);
    if (first === undefined) named.set(name, entry);
    else {
      const where = `${first.source.file}:${lineOf(first.source, ['jobs', String(first.index)])}`;
      problems.push(
        at(
          entry.source,
          ['jobs', String(entry.index), 'name'],
          `names job "${name}" again (first at ${where}); job names are unique`,
        ),
      );
    }
  }
  for (const override of overrides) {
    if (!named.has(override.name)) {
      problems.push(
        at(
          override.source,
          ['stages', override.stage, override.name],
          `overrides job "${override.name}", which the file does not define; known jobs: ${[...named.keys()].join(', ') || 'none'}`,
        ),
      );
    } else if (isPlainObject(override.value) && Object.hasOwn(override.value, 'name')) {
      problems.push(
        at(
          override.source,
          ['stages', override.stage, override.name, 'name'],
          'cannot be overridden: a stage changes fields of a job, not which job it is',
        ),
      );
    }
  }

  const jobs: FileJob[] = entries.map((entry) => {
    const name = isPlainObject(entry.value) ? entry.value.name : undefined;
    const override = overrides.find(
      (candidate) => candidate.stage === options.stage && candidate.name === name,
    );
    return override === undefined
      ? entry
      : { ...entry, override, value: mergePatch(entry.value, override.value) };
  });
  const context = { now: options.now ?? new Date(), mode: options.mode ?? 'local' };
  const definitions: JobDefinition[] = [];
  for (const job of jobs) {
    const found = jobProblems(job.value, context);
    problems.push(...found.map((problem) => placeProblem(job, problem)));
    if (found.length === 0) definitions.push(jobDefinitionSchema.parse(job.value));
  }
  if (problems.length === 0) {
    for (const { job, problem } of fileCycleProblems(jobs, definitions))
      problems.push(placeProblem(job, problem));
  }
  if (problems.length > 0) throw new JobsFileError(inFileOrder(problems));
  return { jobs: definitions, files, stages: [...declared].sort() };
}

/** Each problem once (an override shared by two jobs of one name is reported once), by file and line. */
function inFileOrder(problems: readonly JobsFileProblem[]): JobsFileProblem[] {
  const unique = [...new Map(problems.map((problem) => [formatProblem(problem), problem])).values()];
  return unique.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** The problems the API would answer for this job as a body (its document rules, then its definition). */
export function jobProblems(value: unknown, context: { now: Date; mode: RuntimeMode }): Problem[] {
  try {
    checkJsonDocument(value, 'the job');
    definitionFields(value, context);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
}

/**
 * A problem of job `job` at the value it names: in the stage's override when the value came from it,
 * else in the job's entry (or the nearest enclosing value that exists, for a missing field).
 */
export function placeProblem(job: FileJob, problem: Problem): JobsFileProblem {
  const field = problem.field === '' ? [] : problem.field.split('.');
  const message = withoutField(problem.message, problem.field);
  if (job.override !== undefined) {
    const overridePath = ['stages', job.override.stage, job.override.name];
    const inOverride = locate(job.override.source.document, job.override.source.document.contents, [
      ...overridePath,
      ...field,
    ]);
    if (field.length > 0 && inOverride.depth === overridePath.length + field.length) {
      return { ...at(job.override.source, [...overridePath, ...field], message) };
    }
  }
  return at(job.source, ['jobs', String(job.index), ...field], message);
}

/** A problem at `path` from the file's root, placed at the deepest node of it that exists. */
function at(source: SourceFile, path: readonly string[], message: string): JobsFileProblem {
  const { node } = locate(source.document, source.document.contents, path);
  return { file: source.file, ...source.position(node), path: displayPath(path), message };
}

function lineOf(source: SourceFile, path: readonly string[]): number {
  return source.position(locate(source.document, source.document.contents, path).node).line;
}

/** `schedule must be …` → `must be …`: the path is printed before the message already. */
function withoutField(message: string, field: string): string {
  if (field === '') return message;
  if (message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  if (message.startsWith(`${field} `)) return message.slice(field.length + 1);
  return message;
}

/** The root of one file: `jobs` (a list) and `stages` (stage → job name → fields), nothing else. */
function readRoot(source: SourceFile): {
  problems: JobsFileProblem[];
  entries: { source: SourceFile; index: number; value: unknown }[];
  overrides: Override[];
  stages: string[];
} {
  const problems: JobsFileProblem[] = [];
  const entries: { source: SourceFile; index: number; value: unknown }[] = [];
  const overrides: Override[] = [];
  const stages: string[] = [];
  const root = source.value;
  if (root === undefined || root === null) return { problems, entries, overrides, stages };
  if (!isPlainObject(root)) {
    problems.push(at(source, [], 'must be a map with `jobs:` (a list of jobs) and optionally `stages:`'));
    return { problems, entries, overrides, stages };
  }
  for (const key of Object.keys(root)) {
    if (!(ROOT_KEYS as readonly string[]).includes(key)) {
      problems.push(at(source, [key], `is not a key of a jobs file; expected ${ROOT_KEYS.join(' and ')}`));
    }
  }
  if (root.jobs !== undefined && root.jobs !== null) {
    if (!Array.isArray(root.jobs)) problems.push(at(source, ['jobs'], 'must be a list of jobs'));
    else
      root.jobs.forEach((value, index) => {
        entries.push({ source, index, value });
      });
  }
  if (root.stages !== undefined && root.stages !== null) {
    if (!isPlainObject(root.stages)) {
      problems.push(
        at(source, ['stages'], 'must map each stage to its overrides: {<stage>: {<job name>: {fields}}}'),
      );
    } else {
      for (const [stage, byJob] of Object.entries(root.stages)) {
        stages.push(stage);
        if (!isPlainObject(byJob)) {
          problems.push(at(source, ['stages', stage], 'must map job names to the fields to override'));
          continue;
        }
        for (const [name, value] of Object.entries(byJob)) {
          if (!isPlainObject(value)) {
            problems.push(at(source, ['stages', stage, name], 'must be a map of the fields to override'));
          } else overrides.push({ source, stage, name, value });
        }
      }
    }
  }
  return { problems, entries, overrides, stages };
}
