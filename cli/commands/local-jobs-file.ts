/**
 * `tickwork local` applies the project's jobs file at start: `--jobs-file <path>` (or TICKWORK_JOBS_FILE),
 * else `tickwork.jobs.yaml` in the project root when there is one. The file is loaded and checked before
 * anything starts, so a bad file stops the start with its `file:line:col` problems (exit 2). Once the
 * stack is up, the plan is logged and the file's jobs are applied as a deployed stack applies its jobs
 * file: by the stack's jobs function (the custom resource's handler), as managed by the file.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { TickworkClient } from '../../client/index.ts';
import { LOCAL_STAGE } from '../../local/lambda/environment.ts';
import { functionName } from '../../shared/functions.ts';
import { JobsFileError } from '../../shared/jobs/file/errors.ts';
import { loadJobsFile } from '../../shared/jobs/file/load.ts';
import { JobsPlanError, planJobs } from '../../shared/jobs/file/plan.ts';
import { planLines, planSummary } from '../../shared/jobs/file/render.ts';
import type { JobDefinition } from '../../shared/jobs/validation.ts';
import type { Logger } from '../../shared/logger.ts';
import { projectDataDir } from '../data-dir.ts';
import { EXIT } from '../exit-codes.ts';
import { clientJobsPort } from '../jobs-port.ts';
import { reportApplyFailure } from './apply.ts';

export const JOBS_FILE_NAME = 'tickwork.jobs.yaml';

/** The file to apply: the one named, else the project root's tickwork.jobs.yaml if it exists. */
export function jobsFileToApply(named: string | undefined, cwd: string): string | undefined {
  if (named !== undefined) return named;
  const projectFile = join(dirname(projectDataDir(cwd)), JOBS_FILE_NAME);
  return existsSync(projectFile) ? projectFile : undefined;
}

/** The file's jobs, or the exit code after its problems were written to stderr. */
export function loadAtStart(file: string): { jobs: JobDefinition[] } | { exitCode: number } {
  try {
    return { jobs: loadJobsFile(file).jobs };
  } catch (error) {
    if (!(error instanceof JobsFileError)) throw error;
    process.stderr.write(
      `tickwork local: the jobs file ${file} breaks ${error.problems.length} rule(s); nothing was started\n${error
        .lines()
        .map((line) => `  ${line}\n`)
        .join('')}`,
    );
    return { exitCode: EXIT.usage };
  }
}

/** What the stack's jobs of a file are managed by: the file, as the project names it. */
export function jobsFileSource(file: string, dataDir: string): string {
  const root = dirname(dataDir);
  const path = relative(root, resolve(file));
  return `tickwork local (${path.startsWith('..') || isAbsolute(path) ? resolve(file) : path})`;
}

/**
 * Plans `jobs` against the running stack and applies them as the jobs deployed from the file: through
 * the stack's own jobs function (the custom resource's handler a deployed stack applies its jobs file
 * with; shared/jobs/deployed.ts), as an Update from the jobs the file managed until now. So the file's
 * jobs are managed by it (the API refuses to change or delete them; pause, resume, run and cancel
 * work), a job the file no longer has is deleted, and the operator's own jobs are left alone.
 * Resolves with the exit code when it failed.
 */
export async function applyAtStart(options: {
  readonly file: string;
  readonly jobs: readonly JobDefinition[];
  readonly dataDir: string;
  /** Invokes a function of the stack synchronously (LambdaRuntime.invoke). */
  readonly invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** Component `local`. */
  readonly log: Logger;
}): Promise<number | undefined> {
  const { file, log } = options;
  const source = jobsFileSource(file, options.dataDir);
  try {
    const port = clientJobsPort(new TickworkClient({ dataDir: options.dataDir }));
    const listed = await port.list();
    const wanted = new Set(options.jobs.map((job) => job.name));
    const managed = new Set(listed.filter((job) => job.managedBy === source).map((job) => job.name));
    // Only the file's own jobs may be pruned: the plan sees the others as not there.
    const plan = planJobs(
      options.jobs,
      listed.filter((job) => wanted.has(job.name) || managed.has(job.name)),
      { prune: true },
    );
    for (const step of planLines(plan)) log.info('jobs file plan', { step });
    // Written: what the plan changes, and what is unchanged but not yet the file's (it becomes managed).
    // Deleted: the file's jobs it no longer has. An unchanged job of the file is not written again.
    const ownedUnchanged = new Set(plan.unchanged.filter((name) => managed.has(name)));
    const toWrite = options.jobs.filter((job) => !ownedUnchanged.has(job.name));
    const toDelete = [...managed].filter((name) => !wanted.has(name)).map((name) => ({ name }));
    const properties = (jobs: readonly unknown[]) => ({ Source: source, Jobs: JSON.stringify(jobs) });
    const answer: { Data?: { Applied?: number; Deleted?: number } } =
      toWrite.length === 0 && toDelete.length === 0
        ? {}
        : ((await options.invoke(functionName(LOCAL_STAGE, 'jobs-resource'), {
            RequestType: 'Update',
            RequestId: randomUUID(),
            ResponseURL: 'http://127.0.0.1/unused',
            ResourceType: 'Custom::TickworkJobs',
            LogicalResourceId: 'TickworkJobs',
            StackId: 'tickwork-local',
            ServiceToken: 'tickwork-local',
            PhysicalResourceId: source,
            ResourceProperties: { ServiceToken: 'tickwork-local', ...properties(toWrite) },
            OldResourceProperties: { ServiceToken: 'tickwork-local', ...properties(toDelete) },
          })) as { Data?: { Applied?: number; Deleted?: number } });
    log.info('jobs file applied', {
      file,
      managedBy: source,
      applied: answer.Data?.Applied ?? 0,
      deleted: answer.Data?.Deleted ?? 0,
      plan: planSummary(plan),
    });
    return undefined;
  } catch (error) {
    if (error instanceof JobsPlanError) return reportApplyFailure(error, 'local');
    process.stderr.write(
      `tickwork local: the jobs file ${file} could not be applied: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.failed;
  }
}
