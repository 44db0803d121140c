/**
 * The emulator's persistence: the records of its append-only journal (local/journal/append-journal.ts).
 * Every change is one line, written before the HTTP answer (or before a target is invoked; slots
 * fired together share a line, `firingBatch`, and so does their handover); appends
 * of one turn of the event loop share one write, so CreateSchedule costs O(1) however many schedules
 * exist. At start the journal is replayed; it is rewritten as a snapshot when it has grown well past
 * the live state (fire records accumulate).
 */
import { AppendJournal, type ReplayResult } from '../journal/append-journal.ts';
import type { GroupRecord, PendingRetry, ScheduleRecord } from './model.ts';

export { JournalCorruptError } from '../journal/append-journal.ts';

export type JournalRecord =
  | { readonly op: 'putGroup'; readonly group: GroupRecord }
  | { readonly op: 'deleteGroup'; readonly name: string }
  | { readonly op: 'putSchedule'; readonly schedule: ScheduleRecord }
  | { readonly op: 'deleteSchedule'; readonly groupName: string; readonly name: string }
  /**
   * A slot (epoch ms) fell due; written before its target is invoked. The schedule never fires it
   * again, and until a `fired` line for it follows, a restart delivers its event again: the emulator
   * may have stopped before the target took it. The dispatcher writes `firingBatch` lines instead;
   * these come from compaction (slots a start took over from the journal) and older journals.
   */
  | { readonly op: 'firing'; readonly groupName: string; readonly name: string; readonly slot: number }
  /**
   * The slot's first attempt ended (the target accepted the event, or it failed and was retried,
   * dead-lettered or dropped): nothing is left to deliver again. Journals written before `firing`
   * existed mark every fired slot with this line alone.
   */
  | { readonly op: 'fired'; readonly groupName: string; readonly name: string; readonly slot: number }
  /**
   * Slots that fell due together, as the dispatcher fires them: `firing` for each schedule (key
   * `group/name`) at `slot`, in one line; written before their targets are invoked. A batch due
   * together over several slots takes one line per slot, with the same `batch` id. Until a
   * `batchHandedOver` line for the batch follows, a restart delivers its events again. One line per
   * batch rather than per slot: a burst of 10,000 fires writes two short lines, not 20,000 records.
   */
  | {
      readonly op: 'firingBatch';
      readonly batch: string;
      readonly slot: number;
      readonly schedules: readonly string[];
    }
  /** Every first attempt of the batch ended: `fired` for each of its slots, in one line. */
  | { readonly op: 'batchHandedOver'; readonly batch: string }
  /**
   * A retry is pending (or its next attempt moved). `record` may be left out when an earlier line
   * for the same slot carried it: a 256 KB Input is not rewritten on every attempt.
   */
  | {
      readonly op: 'retryPending';
      readonly retry: Omit<PendingRetry, 'record'> & { readonly record?: ScheduleRecord };
    }
  /** The retried event was handled (delivered, dead-lettered or dropped). */
  | { readonly op: 'retryDone'; readonly groupName: string; readonly name: string; readonly slot: number };

export type Journal = AppendJournal<JournalRecord>;

export const Journal = {
  /** Reads the journal at `path` (missing = empty) and opens it for appending. */
  open(path: string): Promise<{ journal: Journal; replay: ReplayResult<JournalRecord> }> {
    return AppendJournal.open<JournalRecord>(path, 'scheduler journal');
  },
};
