/**
 * `tickwork runs --follow [--job J] [--status S] [--interval SECONDS]`: new runs and status changes as
 * they happen (scheduled, manual, fan-out children, chained runs), one line each, until Ctrl-C. It polls
 * the run history with the typed client (see ../follow.ts for what a look reads and what it prints).
 */

import type { Run, TickworkClient } from '../../client/index.ts';
import type { RunStatus } from '../../shared/jobs/model.ts';
import type { TargetOptions } from '../api-client.ts';
import { NotFoundError } from '../api-client.ts';
import { clientFor, write } from '../api-command.ts';
import { EXIT } from '../exit-codes.ts';
import { RunWatch, transitionLine } from '../follow.ts';
import { type OutputFormat, stdoutTerminal } from '../terminal.ts';
import { interruption, watch } from '../watch.ts';

export interface FollowInvocation {
  readonly target: TargetOptions;
  readonly job?: string;
  /** Only changes into this status. */
  readonly status?: RunStatus;
  readonly intervalMs: number;
  readonly output: OutputFormat;
}

/** Runs a look reads at most past the first page, when whole pages are new (a burst between two looks). */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

type Client = TickworkClient;

/** The newest runs, and the runs last seen open that they leave out. */
async function look(client: Client, seen: RunWatch, job: string | undefined, first: boolean): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < (first ? 1 : MAX_PAGES); page++) {
    const answer = await client.runs.page({
      pageSize: PAGE_SIZE,
      ...(job === undefined ? {} : { job }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    runs.push(...answer.runs);
    cursor = answer.nextCursor ?? undefined;
    // Older pages hold only runs seen before, unless this whole page is new.
    if (cursor === undefined || answer.runs.some((run) => seen.has(run.runId))) break;
  }
  const listed = new Set(runs.map((run) => run.runId));
  const left = seen.open().filter((runId) => !listed.has(runId));
  const reread = await Promise.all(
    left.map((runId) =>
      client.runs.get(runId).catch((error: unknown) => {
        // Purged (its retention passed) between two looks: nothing more to see of it.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  return [...runs, ...reread.filter((run): run is Run => run !== undefined)];
}

export async function executeFollow(invocation: FollowInvocation): Promise<number> {
  const stop = interruption();
  const client = clientFor(invocation.target, stop.signal);
  const seen = new RunWatch();
  const { colour } = stdoutTerminal();
  const lines = invocation.output === 'json' || invocation.output === 'jsonl';
  try {
    await watch(
      invocation.intervalMs,
      async (first) => {
        const runs = await look(client, seen, invocation.job, first);
        if (first) {
          seen.prime(runs);
          if (invocation.job !== undefined) await client.jobs.get(invocation.job);
          process.stderr.write(
            `following runs${invocation.job === undefined ? '' : ` of ${invocation.job}`} every ${invocation.intervalMs / 1000} s; Ctrl-C to stop\n`,
          );
          return;
        }
        for (const change of seen.observe(runs, new Date())) {
          if (invocation.status !== undefined && change.to !== invocation.status) continue;
          write(lines ? JSON.stringify(change) : transitionLine(change, colour));
        }
      },
      stop.signal,
    );
  } finally {
    stop.release();
  }
  return EXIT.success;
}
