/**
 * What a start finds of the emulator's past: slots missed while it was down (logged, not fired: the
 * service has no catch-up), and slots fired but not handed over to their target before it stopped
 * (delivered again, or logged missed when too old).
 */
import type { Logger } from '../../shared/logger.ts';
import { nextFireTime } from '../../shared/schedule/index.ts';
import type { Delivery } from './delivery.ts';
import type { LiveSchedule } from './state.ts';
import { formatScheduledTime } from './target-invoker.ts';

/** Missed slots counted per schedule at start-up; beyond this the log says "at least". */
const MISSED_COUNT_LIMIT = 100;

/** The next slot strictly after `after`, by the engine, or undefined when the schedule is done. */
export function nextSlot(live: LiveSchedule, after: number): number | undefined {
  const schedule = live.schedule;
  const record = live.record;
  if (schedule === undefined || record.state !== 'ENABLED') return undefined;
  let bounds: { startDate?: Date; endDate?: Date } | undefined;
  if (schedule.type !== 'at') {
    // A rate schedule without StartDate starts when it is created: anchoring it there keeps its
    // cadence across restarts and updates (an update does not fire it again at once).
    const start = record.startDate ?? (schedule.type === 'rate' ? record.creationDate : undefined);
    bounds = {
      ...(start === undefined ? {} : { startDate: new Date(start) }),
      ...(record.endDate === undefined ? {} : { endDate: new Date(record.endDate) }),
    };
  }
  return nextFireTime(schedule, new Date(after), bounds)?.getTime();
}

/** Logs the slots from `firstMissed` up to `now` (at most MISSED_COUNT_LIMIT are counted). */
export function logMissed(log: Logger, live: LiveSchedule, firstMissed: number, now: number): void {
  let count = 0;
  let first: number | undefined;
  let last: number | undefined;
  let slot: number | undefined = firstMissed;
  while (slot !== undefined && slot <= now && count < MISSED_COUNT_LIMIT) {
    count++;
    first ??= slot;
    last = slot;
    slot = nextSlot(live, slot);
  }
  if (first === undefined || last === undefined) return;
  log.info('missed', {
    schedule: live.key,
    count,
    truncated: slot !== undefined && slot <= now,
    first: formatScheduledTime(new Date(first)),
    last: formatScheduledTime(new Date(last)),
  });
}

/**
 * The slots of `live` fired but not handed over: each is delivered again (its first attempt runs anew,
 * with the schedule as it is now), unless a persisted retry already carries it (its first attempt
 * ended: only the handover line was missing), or its event is older than the schedule's
 * MaximumEventAgeInSeconds: the service would not deliver it any more, so it is logged missed. The
 * slots not delivered again come back in `settled`, to be marked handed over.
 */
export function redeliveries(
  live: LiveSchedule,
  now: number,
  log: Logger,
): { deliveries: Delivery[]; settled: Array<{ live: LiveSchedule; slot: number }> } {
  const deliveries: Delivery[] = [];
  const settled: Array<{ live: LiveSchedule; slot: number }> = [];
  for (const slot of [...(live.handingOver ?? [])].sort((a, b) => a - b)) {
    if (live.retries?.has(slot) === true) {
      settled.push({ live, slot });
      continue;
    }
    const scheduledTimeText = formatScheduledTime(new Date(slot));
    if (now - slot > live.record.target.retryPolicy.maximumEventAgeInSeconds * 1000) {
      log.info('missed', {
        schedule: live.key,
        count: 1,
        truncated: false,
        first: scheduledTimeText,
        last: scheduledTimeText,
        reason: 'fired before the emulator stopped, and older than the event age when it started again',
      });
      settled.push({ live, slot });
      continue;
    }
    log.debug('redelivering', { schedule: live.key, scheduledTime: scheduledTimeText });
    deliveries.push({
      live,
      scheduledTimeText,
      record: live.record,
      input: live.input,
      version: live.version,
      slot,
      last: nextSlot(live, slot) === undefined,
      firstAttemptAt: now,
    });
  }
  return { deliveries, settled };
}
