/**
 * A schedule's period, for the window defaults and rules: what "one schedule period" means for a
 * rate (its interval) and a cron (the gap between fires, which varies: `MON-FRI` has gaps of one and
 * three days). A one-time schedule has none.
 */
import { nextFireTimes, type Schedule } from '../../schedule/index.ts';

/** How many fires the longest gap is looked for in: more than a month of daily fires, a year of monthly. */
const FIRES_EXAMINED = 40;

/**
 * The gap between the next two fire times after `after`: the default initial window of a job's first
 * run. Undefined for a schedule that fires fewer than twice more (one-time).
 */
export function schedulePeriodMs(schedule: Schedule, after: Date): number | undefined {
  const [first, second] = nextFireTimes(schedule, { after, count: 2 });
  return first === undefined || second === undefined ? undefined : second.getTime() - first.getTime();
}

/**
 * The longest gap between the schedule's next fires after `after`: `window.max` must cover it, or the
 * window after the longest gap could never be exported in one run. Undefined as schedulePeriodMs.
 */
export function longestScheduleGapMs(schedule: Schedule, after: Date): number | undefined {
  const times = nextFireTimes(schedule, { after, count: FIRES_EXAMINED });
  let longest: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i]?.getTime() ?? 0) - (times[i - 1]?.getTime() ?? 0);
    longest = Math.max(longest ?? 0, gap);
  }
  return longest;
}
