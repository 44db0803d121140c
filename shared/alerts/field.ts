/**
 * The job's `alerts` field: where a job's health changes are sent besides the stack's topic. The URL
 * passes the same rules as every other URL a job calls (no credentials in it; https only in a deployed
 * stack), the signing secret is given by NAME (secrets are passed by reference), and `reAlertMinutes`
 * asks for reminders while the job stays unhealthy. Pure, no I/O.
 */
import * as z from 'zod/mini';
import type { JobAlerts } from '../jobs/model.ts';
import { httpUrlField, secretNameField } from '../kinds/fields.ts';
import { describeValue } from '../validation.ts';

/**
 * Five minutes: the sweeper that sends reminders runs every minute, and a reminder more often than this
 * is a storm of its own. One week: a job unhealthy for longer is known; a longer interval says "never".
 */
export const MIN_RE_ALERT_MINUTES = 5;
export const MAX_RE_ALERT_MINUTES = 10_080;

const reAlertMinutes = z.lazy(() =>
  z.int({ error: (issue) => `must be a whole number of minutes; got ${describeValue(issue.input)}` }).check(
    z.minimum(MIN_RE_ALERT_MINUTES, {
      error: (issue) =>
        `must be from ${MIN_RE_ALERT_MINUTES} to ${MAX_RE_ALERT_MINUTES} minutes (one week); got ${describeValue(issue.input)}`,
    }),
    z.maximum(MAX_RE_ALERT_MINUTES, {
      error: (issue) =>
        `must be from ${MIN_RE_ALERT_MINUTES} to ${MAX_RE_ALERT_MINUTES} minutes (one week); got ${describeValue(issue.input)}`,
    }),
  ),
);

/** The job's `alerts` field as a request gives it (and as it is stored: it has no defaults to write out). */
export const alertsSchema = z.lazy(() =>
  z.strictObject(
    {
      url: httpUrlField({ signingSecretField: 'alerts.signingSecret' }),
      signingSecret: secretNameField,
      reAlertMinutes: z.optional(reAlertMinutes),
    },
    {
      error: (issue) =>
        `must be an object {url, signingSecret, reAlertMinutes?}; got ${describeValue(issue.input)}`,
    },
  ),
);

/** The stored form: only the fields given, so a job read back equals the job written. */
export function normalizeAlerts(input: z.infer<typeof alertsSchema>): JobAlerts {
  return {
    url: input.url,
    signingSecret: input.signingSecret,
    ...(input.reAlertMinutes === undefined ? {} : { reAlertMinutes: input.reAlertMinutes }),
  };
}

/** The deployed-only rule (as for every URL a deployed job calls): https, never plain http. */
export function alertsUrlProblem(alerts: JobAlerts, mode: 'aws' | 'local'): string | undefined {
  if (mode !== 'aws' || new URL(alerts.url).protocol === 'https:') return undefined;
  return `alerts.url must be an https URL in a deployed stack; got ${describeValue(alerts.url)}`;
}
