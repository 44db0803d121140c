/**
 * The Tickwork construct's `jobsFile` prop: the file's jobs for the stage, read and checked at synth by
 * the same loader as `tickwork apply` and `tickwork local` (shared/jobs/file/: the API's schemas, in AWS
 * mode, each problem naming the file, line and column), before anything reaches AWS. They go to the jobs
 * custom resource as API bodies, next to the jobs added with `addJob`.
 */
import { JobsFileError } from '../shared/jobs/file/errors.ts';
import { loadJobsFile } from '../shared/jobs/file/load.ts';
import { TickworkPropsError } from './props.ts';

export function loadJobsFileDefinitions(path: string, stage: string): readonly Record<string, unknown>[] {
  try {
    return loadJobsFile(path, { stage, mode: 'aws' }).jobs as unknown as Record<string, unknown>[];
  } catch (error) {
    if (!(error instanceof JobsFileError)) throw error;
    throw new TickworkPropsError(
      `Tickwork prop "jobsFile": ${path} breaks ${error.problems.length} rule(s):\n${error
        .lines()
        .map((line) => `  ${line}`)
        .join('\n')}`,
      { cause: error },
    );
  }
}
