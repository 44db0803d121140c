/**
 * `tickwork runs --follow`: what changed between two looks at the run history. A look is the newest
 * page(s) of runs plus a read of each run last seen open that the page no longer holds (a long run
 * pushed off the first page by newer ones). Each change is printed as the transition seen, from the
 * status of the previous look to the status of this one: a run that went pending → running → succeeded
 * between two looks is printed `pending → succeeded` (or `new → succeeded`), never with a step made up.
 */

import type { Run } from '../client/index.ts';
import { FINAL_RUN_STATUSES, type RunStatus } from '../shared/jobs/model.ts';
import { duration, instant, oneLine } from './output.ts';
import { colourStatus } from './terminal.ts';

/** One change seen: a run new since the last look (`from` undefined) or in another status. */
export interface Transition {
  /** When it happened, as far as the run says (its start or end), else when it was seen. */
  readonly at: string;
  readonly job: string;
  readonly runId: string;
  readonly trigger: Run['trigger'];
  readonly from: RunStatus | null;
  readonly to: RunStatus;
  readonly durationMs?: number;
  readonly error?: string;
  /** A fan-out child's parent run. */
  readonly parentRunId?: string;
  /** A chained run's upstream run. */
  readonly upstreamRunId?: string;
}

export function isOpen(status: RunStatus): boolean {
  return !FINAL_RUN_STATUSES.includes(status);
}

/** The statuses of the runs seen so far; each look returns what changed since the one before. */
export class RunWatch {
  readonly #seen = new Map<string, RunStatus>();

  /** The runs of the first look: known from now on, not printed (they are history, not news). */
  prime(runs: readonly Run[]): void {
    for (const run of runs) this.#seen.set(run.runId, run.status);
  }

  /** Runs last seen open: the next look reads those the newest pages leave out. */
  open(): string[] {
    return [...this.#seen].filter(([, status]) => isOpen(status)).map(([runId]) => runId);
  }

  has(runId: string): boolean {
    return this.#seen.has(runId);
  }

  /** What changed in `runs` since the last look, oldest first; `now` dates changes the run has no time for. */
  observe(runs: readonly Run[], now: Date): Transition[] {
    const changes: Transition[] = [];
    for (const run of runs) {
      const before = this.#seen.get(run.runId);
      if (before === run.status) continue;
      this.#seen.set(run.runId, run.status);
      changes.push(transition(run, before ?? null, now));
    }
    return changes.sort((a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId));
  }
}

function transition(run: Run, from: RunStatus | null, now: Date): Transition {
  const final = !isOpen(run.status);
  const at =
    (final ? run.finishedAt : run.status === 'running' ? run.startedAt : undefined) ?? now.toISOString();
  const error = run.error === undefined ? run.reason : `${run.error.type}: ${run.error.message}`;
  return {
    at,
    job: run.job,
    runId: run.runId,
    trigger: run.trigger,
    from,
    to: run.status,
    ...(final && run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    ...(error === undefined || run.status === 'succeeded' ? {} : { error: oneLine(error) }),
    ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
    ...(run.upstream === undefined ? {} : { upstreamRunId: run.upstream.runId }),
  };
}

/**
 * One line per change: `2026-01-31 09:00:01Z  nightly  01J…  running → succeeded  1.2 s`, with the
 * error or reason of a run that did not succeed, and where a child or chained run came from.
 */
export function transitionLine(change: Transition, colour: boolean): string {
  const to = colour ? colourStatus(change.to) : change.to;
  const origin =
    change.parentRunId !== undefined
      ? `child of ${change.parentRunId}`
      : change.upstreamRunId !== undefined
        ? `after ${change.upstreamRunId}`
        : change.from === null && change.trigger !== 'schedule'
          ? change.trigger
          : undefined;
  return [
    instant(change.at),
    change.job,
    change.runId,
    `${change.from ?? 'new'} → ${to}`,
    duration(change.durationMs),
    change.error,
    origin === undefined ? undefined : `(${origin})`,
  ]
    .filter((part) => part !== undefined && part !== '')
    .join('  ');
}
