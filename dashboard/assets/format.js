/** How times, durations and statuses read on the page. */

/** Statuses of a run that has not ended. */
export const OPEN_STATUSES = new Set(['pending', 'running', 'retrying', 'waiting']);

/**
 * The timeline's category of a run status: each has its colour and its shape.
 * @param {string} status
 * @returns {'succeeded' | 'failed' | 'skipped' | 'missed' | 'open'}
 */
export function statusCategory(status) {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'timed_out') return 'failed';
  if (status === 'skipped' || status === 'cancelled') return 'skipped';
  if (status === 'missed') return 'missed';
  if (OPEN_STATUSES.has(status)) return 'open';
  // A status this page does not know yet reads as failed: better looked at than overlooked.
  return 'failed';
}

/**
 * An instant as local date and time, e.g. "Tue 14:05:09".
 * @param {string | null | undefined} iso
 */
export function formatTime(iso) {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * "in 3 min", "5 s ago".
 * @param {string | null | undefined} iso
 * @param {number} now
 */
export function relative(iso, now) {
  if (iso === null || iso === undefined) return '';
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return '';
  const text = formatDuration(Math.abs(ms));
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/**
 * 850 ms, 12.3 s, 4 min 5 s, 2 h 10 min, 3 d 4 h.
 * @param {number | null | undefined} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/**
 * A run's duration: its own, else finished − started, else undefined.
 * @param {{ durationMs?: number, startedAt?: string | null, finishedAt?: string | null }} run
 */
export function durationOf(run) {
  if (typeof run.durationMs === 'number') return run.durationMs;
  if (run.startedAt && run.finishedAt)
    return new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return undefined;
}
