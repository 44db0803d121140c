/**
 * HOOK(jobs-file): where the Tickwork construct reads its `jobsFile` prop. The jobs-file module
 * (shared/jobs/file/, `loadJobsFile(path, { stage })`) is written in parallel; at the merge this function
 * becomes a call of it: the file's jobs for the stage, checked with the API's schemas (errors naming the
 * file, line and column), as API bodies. Until then a jobs file fails the synth, saying so.
 */
import { TickworkPropsError } from './props.ts';

export function loadJobsFileDefinitions(path: string, stage: string): readonly Record<string, unknown>[] {
  throw new TickworkPropsError(
    `Tickwork prop "jobsFile" (${path}, stage ${stage}) cannot be read yet: the jobs-file reader is not wired in (HOOK(jobs-file), cdk/jobs-file.ts)`,
  );
}
