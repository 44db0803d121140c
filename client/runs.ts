/** `runs` of the typed client: one method per route of /runs (and a job's runs), and `wait`. */
import type { Clock } from '../shared/clock.ts';
import { FINAL_RUN_STATUSES } from '../shared/jobs/model.ts';
import { TimeoutError } from './errors.ts';
import { routePath } from './http.ts';
import { ITERATION_PAGE_SIZE, jobPath } from './jobs.ts';
import {
  type Cursor,
  everyItem,
  type PageQuery,
  type Run,
  type RunListQuery,
  type RunsPage,
  type Send,
  type WaitOptions,
} from './types.ts';

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;

const runPath = (runId: string, rest = '') => routePath(`/runs/{runId}${rest}`, { runId });

export class RunsClient {
  readonly #send: Send;
  readonly #clock: Clock;

  constructor(send: Send, clock: Clock) {
    this.#send = send;
    this.#clock = clock;
  }

  /** Runs the job now (a `pending` run), with parameters checked against its kind's. */
  trigger(job: string, params?: Readonly<Record<string, unknown>>): Promise<Run> {
    return this.#send('POST /jobs/{name}/runs', {
      path: jobPath(job, '/runs'),
      ...(params === undefined ? {} : { body: { params } }),
    });
  }

  get(runId: string): Promise<Run> {
    return this.#send('GET /runs/{runId}', { path: runPath(runId) });
  }

  /** One page of runs, newest first; `cursor` is the previous page's `nextCursor`. */
  page(query: RunListQuery & Cursor = {}): Promise<RunsPage> {
    const base = { status: query.status, limit: query.pageSize?.toString(), cursor: query.cursor };
    return query.job === undefined
      ? this.#send('GET /runs', { path: '/runs', query: base })
      : this.#send('GET /jobs/{name}/runs', { path: jobPath(query.job, '/runs'), query: base });
  }

  /** Every run that matches, newest first, page after page as the iteration asks for them. */
  list(query: RunListQuery & Cursor = {}): AsyncIterableIterator<Run> {
    const pageSize = query.pageSize ?? ITERATION_PAGE_SIZE;
    return everyItem(
      (cursor) => this.page({ ...query, pageSize, ...(cursor === undefined ? {} : { cursor }) }),
      (page) => page.runs,
      query.cursor,
    );
  }

  /** One page of the child runs of a fan-out run. */
  childrenPage(runId: string, query: PageQuery & Cursor = {}): Promise<RunsPage> {
    return this.#send('GET /runs/{runId}/children', {
      path: runPath(runId, '/children'),
      query: { limit: query.pageSize?.toString(), cursor: query.cursor },
    });
  }

  /** Every child run of a fan-out run, page after page as the iteration asks for them. */
  children(runId: string, query: PageQuery & Cursor = {}): AsyncIterableIterator<Run> {
    const pageSize = query.pageSize ?? ITERATION_PAGE_SIZE;
    return everyItem(
      (cursor) => this.childrenPage(runId, { pageSize, ...(cursor === undefined ? {} : { cursor }) }),
      (page) => page.runs,
      query.cursor,
    );
  }

  /** A pending or retrying run ends `cancelled`; a running one is asked to stop. ConflictError when finished. */
  cancel(runId: string): Promise<Run> {
    return this.#send('POST /runs/{runId}/cancel', { path: runPath(runId, '/cancel') });
  }

  /**
   * The run once it has ended (`succeeded`, `failed`, `cancelled`, `skipped`, `timed_out`, `missed`), read every
   * `pollIntervalMs`; TimeoutError (with the run's last status) when it is still going after `timeoutMs`.
   */
  async wait(runId: string, options: WaitOptions = {}): Promise<Run> {
    const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const limit = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const deadline = this.#clock.now().getTime() + limit;
    for (;;) {
      const run = await this.get(runId);
      if (FINAL_RUN_STATUSES.includes(run.status)) return run;
      const left = deadline - this.#clock.now().getTime();
      if (left <= 0) {
        throw new TimeoutError(
          `run ${runId} of job "${run.job}" is still ${run.status} after ${limit / 1000} s`,
          runId,
          run.status,
        );
      }
      await this.#clock.sleep(Math.min(interval, left));
    }
  }
}
