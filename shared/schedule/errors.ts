/**
 * Errors of the schedule engine. They carry no HTTP codes: the API maps them at its boundary,
 * the CLI prints their message on one line.
 */

/** What a {@link ScheduleExpressionError} is about: the field, the value found there, the rule it breaks. */
export interface ScheduleExpressionErrorDetails {
  /** The part of the expression at fault, e.g. `day-of-week`, `year`, `rate unit`, `expression`. */
  readonly field: string;
  /** The offending text as written. */
  readonly value: string;
  /** The rule, phrased as what is expected (and, where it helps, what to do instead). */
  readonly rule: string;
  /** The whole input, quoted in the message so the reader sees the context. */
  readonly input: string;
}

/**
 * A schedule expression that EventBridge Scheduler would refuse (or that Tickwork cannot translate).
 * The message names the field, the value and the rule, e.g.
 * `invalid day-of-week "0" in "cron(0 9 ? * 0 *)": must be 1-7 (1 = SUN ... 7 = SAT) or SUN-SAT`.
 */
export class ScheduleExpressionError extends Error {
  /** The part of the expression at fault, e.g. `minutes`, `day-of-week`, `rate unit`, `expression`. */
  readonly field: string;
  /** The offending text as written. */
  readonly value: string;
  /** The rule the value breaks. */
  readonly rule: string;

  constructor(details: ScheduleExpressionErrorDetails, options?: ErrorOptions) {
    super(`invalid ${details.field} "${details.value}" in "${details.input}": ${details.rule}`, options);
    this.name = 'ScheduleExpressionError';
    this.field = details.field;
    this.value = details.value;
    this.rule = details.rule;
  }
}

/** A time zone that is not a known IANA zone name (EventBridge accepts IANA names only, not offsets). */
export class TimeZoneError extends Error {
  /** The zone as given. */
  readonly value: string;

  constructor(value: string, options?: ErrorOptions) {
    super(
      `unknown time zone "${value}": expected an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"`,
      options,
    );
    this.name = 'TimeZoneError';
    this.value = value;
  }
}
