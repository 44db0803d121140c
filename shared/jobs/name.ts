/**
 * The job-name rule, defined once: the API body, the path, the list filter, the job event and the CLI
 * all check names with it. A job's name is its schedule's name, so the rule is Scheduler's
 * (`[0-9a-zA-Z-_.]{1,64}`), minus `.` and `..`: valid characters, but a URL path segment of `.` or
 * `..` is resolved away before it reaches the service, so such a schedule could never be read back.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { describeValue } from '../validation.ts';

export const JOB_NAME_PATTERN = /^(?!\.\.?$)[0-9a-zA-Z\-_.]{1,64}$/;

/** The characters of a name (and of a prefix of names). */
export const JOB_NAME_CHARACTERS = '1-64 characters of letters, digits, "-", "_" and "."';

export const JOB_NAME_RULE = `${JOB_NAME_CHARACTERS} (the Scheduler schedule name rule), other than "." and ".."`;

/** A prefix of job names (the `name` filter of a listing): the characters of a name, 1-64 of them. */
export const JOB_NAME_PREFIX_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;

export const jobNameSchema = z.lazy(() =>
  z.string().check(z.regex(JOB_NAME_PATTERN, { error: `must be ${JOB_NAME_RULE}` })),
);

export function isJobName(value: string): boolean {
  return JOB_NAME_PATTERN.test(value);
}

/** The name, or a ValidationError on `field` saying what a job name is and what was received. */
export function checkJobName(value: unknown, field = 'name', subject = 'job name'): string {
  if (typeof value === 'string' && isJobName(value)) return value;
  throw new ValidationError(field, `${subject} must be ${JOB_NAME_RULE}, got ${describeValue(value)}`);
}
