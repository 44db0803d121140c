/**
 * Window arithmetic, pure: which half-open window `[from, to)` a run exports. Times come from the slot
 * (the run's scheduled time), never from the clock, so a late, retried or repeated run of a slot
 * computes the same window, and consecutive runs tile time: each starts at the watermark the previous
 * one left, which only moves once the sink has acknowledged everything.
 */
import type { TelemetryWindow } from './source.ts';

export interface WindowInput {
  /** The run's scheduled time (a manual run's: when it was requested). */
  readonly slot: Date;
  /** Where the last export ended; undefined before the first. */
  readonly watermark: Date | undefined;
  readonly settleLagMs: number;
  /** How far back the first export reaches. */
  readonly initialMs: number;
  /** The longest window one run exports; undefined for no cap. */
  readonly maxMs: number | undefined;
}

export interface PlannedWindow {
  readonly window: TelemetryWindow;
  /** The window was cut short (at `max`): the rest is left to the next run. */
  readonly truncated: boolean;
}

/**
 * `[watermark, slot − settleLag)`, the first one reaching `initial` back, cut at `max`. Empty (from =
 * to) when the watermark is already there: a late run of a slot a later run has covered exports nothing.
 */
export function planWindow(input: WindowInput): PlannedWindow {
  const end = input.slot.getTime() - input.settleLagMs;
  const from = input.watermark?.getTime() ?? end - input.initialMs;
  if (from >= end) return { window: { from: new Date(from), to: new Date(from) }, truncated: false };
  if (input.maxMs !== undefined && end - from > input.maxMs) {
    return { window: { from: new Date(from), to: new Date(from + input.maxMs) }, truncated: true };
  }
  return { window: { from: new Date(from), to: new Date(end) }, truncated: false };
}

export function isEmptyWindow(window: TelemetryWindow): boolean {
  return window.from.getTime() >= window.to.getTime();
}

/**
 * The first half of a window (on a whole second when it spans two or more), for a window in which a
 * table held more rows than the limit; undefined when it cannot be split (a millisecond).
 */
export function firstHalf(window: TelemetryWindow): TelemetryWindow | undefined {
  const from = window.from.getTime();
  const span = window.to.getTime() - from;
  const half = span >= 2000 ? Math.floor(span / 2000) * 1000 : Math.floor(span / 2);
  return half === 0 ? undefined : { from: window.from, to: new Date(from + half) };
}
