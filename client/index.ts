/**
 * `tickwork/client`: the typed client of the Tickwork API, for programs and for the `tickwork` CLI (which
 * sends its requests through the same transport). Its types are the API's own schemas (the job
 * definition and patch it parses, the views it answers), so the client cannot drift from the server.
 *
 * ```ts
 * const tickwork = new TickworkClient(); // the local stack found from the current directory up
 * const run = await tickwork.runs.trigger('nightly-eval', { limit: 10 });
 * const done = await tickwork.runs.wait(run.runId, { timeoutMs: 60_000 });
 * ```
 *
 * Against a deployed API, `new TickworkClient({ url })` signs each request with SigV4 and the default AWS
 * credential chain (IAM authorization stays on).
 */
import type * as z from 'zod/mini';
import type {
  jobsPageSchema,
  jobViewSchema,
  runsPageSchema,
  runViewSchema,
  statusReportSchema,
  writtenJobSchema,
} from '../shared/api/responses.ts';
import type { RouteKey } from '../shared/api/routes.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { FINAL_RUN_STATUSES, type RunStatus } from '../shared/jobs/model.ts';
import type { jobDefinitionSchema, jobPatchSchema } from '../shared/jobs/validation.ts';
import { TimeoutError } from './errors.ts';
import { ApiClient, type ApiRequest, type ApiTarget, routePath } from './http.ts';
import { resolveTarget } from './targets.ts';

export {
  ApiError,
  type ApiProblem,
  ApiUnreachableError,
  ConflictError,
  NotFoundError,
  TargetError,
  TimeoutError,
  ValidationError,
} from './errors.ts';
export { InvalidTargetError } from './targets.ts';

/** A job as the API shows it. */
export type Job = z.output<typeof jobViewSchema>;
/** A job as a write answers it: with `warnings` when something will stop its runs (a missing secret). */
export type WrittenJob = z.output<typeof writtenJobSchema>;
/** What `jobs.create` and `jobs.put` take: exactly the API's job definition. */
export type JobDefinition = z.input<typeof jobDefinitionSchema>;
/** What `jobs.update` takes: a JSON Merge Patch of the job (`null` resets a field). */
export type JobPatch = z.input<typeof jobPatchSchema>;
export type Run = z.output<typeof runViewSchema>;
export type JobsPage = z.output<typeof jobsPageSchema>;
export type RunsPage = z.output<typeof runsPageSchema>;
export type StatusReport = z.output<typeof statusReportSchema>;
export type { RunStatus };

export interface TickworkClientOptions {
  /** A deployed API's base URL (its stage included); without it, the local stack is used. */
  readonly url?: string;
  /** @default the Region in an API Gateway URL, else AWS_REGION */
  readonly region?: string;
  /** The local stack's data directory. @default the nearest running stack's, from `cwd` up */
  readonly dataDir?: string;
  /** Where the local stack is looked for. @default process.cwd() */
  readonly cwd?: string;
  /** How long one request may take. @default 35 s */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Waits of `runs.wait` (tests pass a manual clock). @default the system clock */
  readonly clock?: Clock;
}

export interface JobListQuery {
  readonly kind?: Job['kind'];
  /** Name prefix. */
  readonly name?: string;
  readonly enabled?: boolean;
  /** Jobs per request, 1–100. @default 100 */
  readonly pageSize?: number;
}

export interface RunListQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  /** Runs per request, 1–100. @default 100 */
  readonly pageSize?: number;
}

export interface WaitOptions {
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** @default 15 minutes (the longest a job function runs) */
  readonly timeoutMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;

export class TickworkClient {
  readonly jobs: JobsClient;
  readonly runs: RunsClient;
  readonly #options: TickworkClientOptions;
  #http: Promise<ApiClient> | undefined;

  constructor(options: TickworkClientOptions = {}) {
    this.#options = options;
    const send = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) => this.#send<T>(route, request);
    this.jobs = new JobsClient(send);
    this.runs = new RunsClient(send, options.clock ?? systemClock);
  }

  /** Every job with its next run, last run and health, a page at a time (`cursor`: the previous page's). */
  status(query: { readonly limit?: number; readonly cursor?: string } = {}): Promise<StatusReport> {
    return this.#send<StatusReport>('GET /status', {
      path: '/status',
      query: { limit: query.limit?.toString(), cursor: query.cursor },
    });
  }

  /** Where requests go: the local stack or the API at `url`, and how they are authorized. */
  target(): Promise<ApiTarget> {
    return this.#client().then((client) => client.target);
  }

  #client(): Promise<ApiClient> {
    this.#http ??= resolveTarget(
      {
        ...(this.#options.url === undefined ? {} : { url: this.#options.url }),
        ...(this.#options.region === undefined ? {} : { region: this.#options.region }),
        ...(this.#options.dataDir === undefined ? {} : { dataDir: this.#options.dataDir }),
      },
      this.#options.cwd ?? process.cwd(),
    ).then(
      (target) =>
        new ApiClient(target, {
          ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
          ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
        }),
    );
    // A target that could not be resolved (no stack running yet) is looked for again on the next call.
    this.#http.catch(() => {
      this.#http = undefined;
    });
    return this.#http;
  }

  async #send<T>(route: RouteKey, request: Omit<ApiRequest, 'method'>): Promise<T> {
    const client = await this.#client();
    const method = route.slice(0, route.indexOf(' ')) as ApiRequest['method'];
    return (await client.request<T>({ ...request, method })).body;
  }
}

type Send = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) => Promise<T>;

const jobPath = (name: string, rest = '') => routePath(`/jobs/{name}${rest}`, { name });
const runPath = (runId: string, rest = '') => routePath(`/runs/{runId}${rest}`, { runId });

export class JobsClient {
  constructor(private readonly send: Send) {}

  /** Creates the job and its schedule; ConflictError when the name is taken. */
  create(definition: JobDefinition): Promise<WrittenJob> {
    return this.send('POST /jobs', { path: '/jobs', body: definition });
  }

  /** Creates or replaces the job named `definition.name`. */
  put(definition: JobDefinition): Promise<WrittenJob> {
    return this.send('PUT /jobs/{name}', { path: jobPath(definition.name), body: definition });
  }

  get(name: string): Promise<Job> {
    return this.send('GET /jobs/{name}', { path: jobPath(name) });
  }

  /** One page of jobs (by name); `cursor` is the previous page's `nextCursor`. */
  page(query: JobListQuery & { readonly cursor?: string } = {}): Promise<JobsPage> {
    return this.send('GET /jobs', {
      path: '/jobs',
      query: {
        kind: query.kind,
        name: query.name,
        enabled: query.enabled?.toString(),
        limit: String(query.pageSize ?? 100),
        cursor: query.cursor,
      },
    });
  }

  /** Every job that matches, page after page as the iteration asks for them. */
  async *list(query: JobListQuery = {}): AsyncIterableIterator<Job> {
    let cursor: string | undefined;
    do {
      const page = await this.page({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.jobs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Changes some fields (a JSON Merge Patch: `null` resets a field, config and tags merge). */
  update(name: string, patch: JobPatch): Promise<WrittenJob> {
    return this.send('PATCH /jobs/{name}', { path: jobPath(name), body: patch });
  }

  /** Deletes the job and its schedule. */
  async delete(name: string): Promise<void> {
    await this.send('DELETE /jobs/{name}', { path: jobPath(name) });
  }

  /** Pauses the job; `note` says why (shown in status, cleared on resume). */
  pause(name: string, options: { readonly note?: string } = {}): Promise<Job> {
    return this.send('POST /jobs/{name}/pause', {
      path: jobPath(name, '/pause'),
      ...(options.note === undefined ? {} : { body: { note: options.note } }),
    });
  }

  resume(name: string): Promise<Job> {
    return this.send('POST /jobs/{name}/resume', { path: jobPath(name, '/resume') });
  }
}

export class RunsClient {
  constructor(
    private readonly send: Send,
    private readonly clock: Clock,
  ) {}

  /** Runs the job now (a `pending` run), with parameters checked against its kind's. */
  trigger(job: string, params?: Readonly<Record<string, unknown>>): Promise<Run> {
    return this.send('POST /jobs/{name}/runs', {
      path: jobPath(job, '/runs'),
      ...(params === undefined ? {} : { body: { params } }),
    });
  }

  get(runId: string): Promise<Run> {
    return this.send('GET /runs/{runId}', { path: runPath(runId) });
  }

  /** One page of runs, newest first; `cursor` is the previous page's `nextCursor`. */
  page(query: RunListQuery & { readonly cursor?: string } = {}): Promise<RunsPage> {
    const base = { status: query.status, limit: String(query.pageSize ?? 100), cursor: query.cursor };
    return query.job === undefined
      ? this.send('GET /runs', { path: '/runs', query: base })
      : this.send('GET /jobs/{name}/runs', { path: jobPath(query.job, '/runs'), query: base });
  }

  /** Every run that matches, newest first, page after page as the iteration asks for them. */
  async *list(query: RunListQuery = {}): AsyncIterableIterator<Run> {
    let cursor: string | undefined;
    do {
      const page = await this.page({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.runs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** A pending or retrying run ends `cancelled`; a running one is asked to stop. ConflictError when finished. */
  cancel(runId: string): Promise<Run> {
    return this.send('POST /runs/{runId}/cancel', { path: runPath(runId, '/cancel') });
  }

  /**
   * The run once it has ended (`succeeded`, `failed`, `cancelled`, `skipped`, `timed_out`), read every
   * `pollIntervalMs`; TimeoutError (with the run's last status) when it is still going after `timeoutMs`.
   */
  async wait(runId: string, options: WaitOptions = {}): Promise<Run> {
    const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const limit = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const deadline = this.clock.now().getTime() + limit;
    for (;;) {
      const run = await this.get(runId);
      if (FINAL_RUN_STATUSES.includes(run.status)) return run;
      const left = deadline - this.clock.now().getTime();
      if (left <= 0) {
        throw new TimeoutError(
          `run ${runId} of job "${run.job}" is still ${run.status} after ${limit / 1000} s`,
          runId,
          run.status,
        );
      }
      await this.clock.sleep(Math.min(interval, left));
    }
  }
}
