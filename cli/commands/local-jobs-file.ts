/**
 * `tickwork local` applies the project's jobs file at start: `--jobs-file <path>` (or TICKWORK_JOBS_FILE),
 * else `tickwork.jobs.yaml` in the project root when there is one. The file is loaded and checked before
 * anything starts, so a bad file stops the start with its `file:line:col` problems (exit 2); once the
 * stack is up, its plan is logged and applied through the stack's own API with the typed client, the
 * same port and use case as `tickwork apply`. Going through the API (not the jobs service in process)
 * keeps one composition root for the job use cases (the API function's, with its mode, secrets and
 * configuration), as reconcile at start does; on loopback the requests cost a few milliseconds.
 * Nothing is pruned: jobs added through the API stay.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TickworkClient } from '../../client/index.ts';
import { applyPlan } from '../../shared/jobs/file/apply.ts';
import { JobsFileError } from '../../shared/jobs/file/errors.ts';
import { loadJobsFile } from '../../shared/jobs/file/load.ts';
import { planJobs } from '../../shared/jobs/file/plan.ts';
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

/** Plans and applies `jobs` through the running stack's API; the exit code when it failed. */
export async function applyAtStart(options: {
  readonly file: string;
  readonly jobs: readonly JobDefinition[];
  readonly dataDir: string;
  /** Component `local`. */
  readonly log: Logger;
}): Promise<number | undefined> {
  const { file, log } = options;
  const port = clientJobsPort(new TickworkClient({ dataDir: options.dataDir }));
  try {
    const plan = planJobs(options.jobs, await port.list());
    for (const step of planLines(plan)) log.info('jobs file plan', { step });
    const applied = await applyPlan(port, plan, {
      source: `tickwork local: ${file}`,
      onApplied: (step, warnings) => {
        for (const warning of warnings)
          log.warn('jobs file warning', { job: step.name, warning: warning.message });
      },
    });
    log.info('jobs file applied', { file, applied: applied.length, plan: planSummary(plan) });
    return undefined;
  } catch (error) {
    return reportApplyFailure(error, 'local');
  }
}
