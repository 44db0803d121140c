/**
 * Classic 5-field crontab (`minute hour day-of-month month day-of-week`) translated to an
 * EventBridge `cron(...)` expression: `?` placed in the unused day field, day-of-week renumbered
 * (crontab 0/7 = SUN, EventBridge 1 = SUN), year `*`.
 */
import { dayOfMonthSpec, dayOfWeekSpec } from './cron.ts';
import { CRONTAB_DAY_OF_WEEK, consecutiveRuns, expandList, fail, HOURS, MINUTES, MONTH } from './fields.ts';

const ONLY_NAMES = /^[A-Z]{3}(-[A-Z]{3})?(,[A-Z]{3}(-[A-Z]{3})?)*$/;

/**
 * Translates the five crontab fields to the six EventBridge fields (upper-cased). Throws
 * {@link ScheduleExpressionError} for invalid fields and for a crontab that restricts both
 * day-of-month and day-of-week: crontab fires when either matches, which one EventBridge
 * schedule cannot express.
 */
export function crontabToEventBridge(fields: readonly string[], input: string): string {
  const [minute = '', hour = '', domRaw = '', month = '', dowRaw = ''] = fields.map((field) =>
    field.toUpperCase(),
  );
  // Validate the fields copied verbatim with the same rules EventBridge applies to them.
  expandList(minute, MINUTES, input);
  expandList(hour, HOURS, input);
  expandList(month, MONTH, input);
  // cron-parser and many crontabs accept ? as "any" in the day fields.
  const dom = domRaw === '?' ? '*' : domRaw;
  const dow = dowRaw === '?' ? '*' : dowRaw;
  if (dom !== '*' && dow !== '*') {
    // Vixie cron ORs the two day fields, except that a field starting with `*` (e.g. `*/2`) makes it AND
    // them; EventBridge can express neither, so the reason given matches what the crontab meant.
    const meaning =
      dom.startsWith('*') || dow.startsWith('*') ? 'only when both match' : 'when either matches';
    fail(
      input,
      'day-of-month/day-of-week',
      `${domRaw} ${dowRaw}`,
      `a crontab that restricts both day-of-month and day-of-week fires ${meaning}, and one EventBridge ` +
        'schedule cannot express that (it allows only one of the two); keep one of them as * or create two jobs, ' +
        'one per day field',
    );
  }
  dayOfMonthSpec(dom, input);
  const eventBridgeDow = dow === '*' ? '?' : translateDayOfWeek(dow, input);
  const eventBridgeDom = dow === '*' ? dom : '?';
  return [minute, hour, eventBridgeDom, month, eventBridgeDow, '*'].join(' ');
}

function translateDayOfWeek(text: string, input: string): string {
  // "MON-SUN" is common in crontabs: SUN ends a range as 7 (but SUN-SUN stays Sunday alone).
  const normalized = text
    .split(',')
    .map((item) =>
      item.replace(/^(\w+)-SUN(?=$|\/)/, (range, start: string) =>
        /^(SUN|0|7)$/.test(start) ? range : `${start}-7`,
      ),
    )
    .join(',');
  const spec = dayOfWeekSpec(normalized, input, CRONTAB_DAY_OF_WEEK);
  // Names mean the same day in both dialects: keep what the author wrote (FRI#2, FRIL, MON-FRI);
  // numbers are renumbered (crontab 5#2 is EventBridge 6#2).
  const named = /^[A-Z]{3}(?=#|L$)/.exec(normalized)?.[0];
  switch (spec.kind) {
    case 'nthWeekday':
      return `${named ?? spec.weekday + 1}#${spec.nth}`;
    case 'lastWeekdayOf':
      return `${named ?? spec.weekday + 1}L`;
    case 'weekdays': {
      // A range of names is kept when it does not wrap.
      if (ONLY_NAMES.test(normalized)) return normalized;
      if (spec.weekdays.length === 7) return '*';
      return compress(spec.weekdays.map((weekday) => weekday + 1));
    }
    default:
      return '*';
  }
}

/** `[1, 2, 3, 5]` → `1-3,5`. */
function compress(values: readonly number[]): string {
  return consecutiveRuns(values)
    .map(([start, end]) => (start === end ? String(start) : `${start}-${end}`))
    .join(',');
}
