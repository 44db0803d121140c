/**
 * Jobs as a jobs file: each shown job back to the definition that creates it, with the fields left at
 * their defaults left out (the file stays short) and everything else as the API shows it (the kind's
 * config with its defaults written out), so applying the file reports every job unchanged.
 */
import { Document } from 'yaml';
import type { ShownJob } from './compare.ts';

/** The definition (the body of `POST /jobs`) that makes the API show `job` as it is. */
export function definitionOfShown(job: ShownJob): Record<string, unknown> {
  return {
    name: job.name,
    kind: job.kind,
    ...(job.description === undefined ? {} : { description: job.description }),
    schedule: job.schedule.input,
    ...(job.timezone === 'UTC' ? {} : { timezone: job.timezone }),
    ...(job.enabled ? {} : { enabled: false }),
    ...(job.runImmediately ? { runImmediately: true } : {}),
    ...(job.overlap === 'skip' ? {} : { overlap: job.overlap }),
    ...(job.flexibleWindowMinutes === undefined ? {} : { flexibleWindowMinutes: job.flexibleWindowMinutes }),
    ...(job.startDate === undefined ? {} : { startDate: job.startDate }),
    ...(job.endDate === undefined ? {} : { endDate: job.endDate }),
    ...(Object.keys(job.tags).length === 0 ? {} : { tags: job.tags }),
    config: job.config,
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    ...(job.then === undefined ? {} : { then: job.then }),
    ...(job.expand === undefined ? {} : { expand: job.expand }),
    ...(job.alerts === undefined ? {} : { alerts: job.alerts }),
    ...(job.startingDeadlineSeconds === undefined
      ? {}
      : { startingDeadlineSeconds: job.startingDeadlineSeconds }),
    ...(job.graceSeconds === undefined ? {} : { graceSeconds: job.graceSeconds }),
    ...(job.catchup === undefined ? {} : { catchup: job.catchup }),
    ...(job.failureThreshold === undefined ? {} : { failureThreshold: job.failureThreshold }),
    ...(job.recoveryThreshold === undefined ? {} : { recoveryThreshold: job.recoveryThreshold }),
  };
}

export interface ExportedFile {
  readonly text: string;
  /** Jobs left out, with why (one-time jobs that are over cannot be created again as they are). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * The jobs file of `jobs`, with `header` as comments at its top. One-time jobs that already ran or were
 * deleted are left out and named in a comment: their at() time has passed, so the API would refuse them.
 */
export function exportJobsFile(jobs: readonly ShownJob[], header: readonly string[]): ExportedFile {
  const skipped = jobs
    .filter((job) => job.state === 'executed' || job.state === 'cancelled')
    .map((job) => ({
      name: job.name,
      reason: `a one-time job that is over (${job.state}); its at() time has passed`,
    }));
  const left = new Set(skipped.map((job) => job.name));
  const document = new Document({
    jobs: jobs.filter((job) => !left.has(job.name)).map(definitionOfShown),
  });
  document.commentBefore = commentLines([
    ...header,
    ...(skipped.length === 0
      ? []
      : ['', 'Left out:', ...skipped.map((job) => `  ${job.name}: ${job.reason}`)]),
  ]);
  // No line folding: every string comes back exactly as it went out.
  return { text: document.toString({ lineWidth: 0 }), skipped };
}

/** Comment text for the yaml package: each line gets a space after its `#`. */
export function commentLines(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}
