/**
 * Job names and run ids checked the way the API checks them, so a bad one is refused before anything
 * is sent, with a message about the argument rather than about a path parameter.
 */
import { MAX_CURSOR_LENGTH } from '../shared/api/routes.ts';
import { isJobName, JOB_NAME_RULE } from '../shared/jobs/name.ts';
import { RUN_ID_PATTERN } from '../shared/runs/run-id.ts';
import { UsageError } from './usage-error.ts';

/** A run id as an example in messages (a valid ULID). */
export const EXAMPLE_RUN_ID = '01JCDT6Q7M3H8W4R5N9X2B1KZE';

/** The API's job-name rule (shared/jobs/name.ts), as a usage error about the argument. */
export function checkJobName(name: string): string {
  if (!isJobName(name)) throw new UsageError(`job name "${name}" must be ${JOB_NAME_RULE}`);
  return name;
}

/** `--cursor`: the value a "more:" line shows; what it holds is the API's to check. */
export function checkCursor(text: string, flag = '--cursor'): string {
  if (text === '' || text.length > MAX_CURSOR_LENGTH) {
    throw new UsageError(
      `${flag} must be the cursor of a "more:" line (1-${MAX_CURSOR_LENGTH} characters), got ${text === '' ? 'an empty value' : `${text.length} characters`}`,
    );
  }
  return text;
}

/**
 * A run id (a ULID). ULIDs are case-insensitive, and one copied from a lower-cased log line is
 * still the same id, so it is upper-cased before the check; the API wants the canonical form.
 */
export function checkRunId(text: string): string {
  const runId = text.toUpperCase();
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(`run id must be a ULID (26 characters, e.g. ${EXAMPLE_RUN_ID}); got "${text}"`);
  }
  return runId;
}
