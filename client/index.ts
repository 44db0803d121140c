/**
 * `tickwork/client`: the typed client of the Tickwork API, for programs and for the `tickwork` CLI (which
 * sends its requests through it). Its types are the API's own schemas (the job definition and patch it
 * parses, the views it answers), so the client cannot drift from the server; every route of
 * shared/api/routes.ts has a method (test/unit/client/routes.test.ts holds it to that).
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
import type { RouteKey } from '../shared/api/routes.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { ApiClient, type ApiRequest, type ApiResponse, type ApiTarget } from './http.ts';
import { CheckpointsClient, JobsClient } from './jobs.ts';
import { RunsClient } from './runs.ts';
import { resolveTarget } from './targets.ts';
import type {
  PreviewOptions,
  ReconcileOptions,
  ReconcileReport,
  SchedulePreview,
  StatusReport,
} from './types.ts';

export {
  ApiError,
  type ApiProblem,
  ApiUnreachableError,
  ConflictError,
  NotFoundError,
  RequestAbortedError,
  TargetError,
  TimeoutError,
  ValidationError,
} from './errors.ts';
export type { ApiTarget } from './http.ts';
export { CheckpointsClient, JobsClient } from './jobs.ts';
export { RunsClient } from './runs.ts';
export { InvalidTargetError } from './targets.ts';
export type {
  BackfillRequest,
  BackfillStarted,
  Checkpoint,
  Checkpoints,
  Cursor,
  DeleteJobOptions,
  Job,
  JobDefinition,
  JobListQuery,
  JobPatch,
  JobsPage,
  PageQuery,
  PreviewOptions,
  ReconcileOptions,
  ReconcileReport,
  Run,
  RunListQuery,
  RunStatus,
  RunsPage,
  SchedulePreview,
  StatusReport,
  UpsertedJob,
  WaitOptions,
  WrittenJob,
} from './types.ts';

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
  /** Once aborted, every request in flight ends and later ones are refused (RequestAbortedError). */
  readonly signal?: AbortSignal;
}

export class TickworkClient {
  readonly jobs: JobsClient;
  readonly runs: RunsClient;
  readonly checkpoints: CheckpointsClient;
  readonly #options: TickworkClientOptions;
  #http: Promise<ApiClient> | undefined;

  constructor(options: TickworkClientOptions = {}) {
    this.#options = options;
    const send = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) => this.#send<T>(route, request);
    const exchange = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) =>
      this.#exchange<T>(route, request);
    this.jobs = new JobsClient(send, exchange);
    this.runs = new RunsClient(send, options.clock ?? systemClock);
    this.checkpoints = new CheckpointsClient(send);
  }

  /** Every job with its next run, last run and health, a page at a time (`cursor`: the previous page's). */
  status(query: { readonly limit?: number; readonly cursor?: string } = {}): Promise<StatusReport> {
    return this.#send('GET /status', {
      path: '/status',
      query: { limit: query.limit?.toString(), cursor: query.cursor },
    });
  }

  /** A schedule expression in words with its next fire times, as the API reads it; nothing is stored. */
  preview(expression: string, options: PreviewOptions = {}): Promise<SchedulePreview> {
    return this.#send('GET /schedules/preview', {
      path: '/schedules/preview',
      query: { expression, timezone: options.timezone, count: options.count?.toString() },
    });
  }

  /**
   * Compares every job with its schedule and repairs drift (missing, stray or differing schedules);
   * with `dryRun` it only reports.
   */
  reconcile(options: ReconcileOptions = {}): Promise<ReconcileReport> {
    // Sent either way: the request acts, so what it does is stated rather than left to a default.
    return this.#send('POST /reconcile', {
      path: '/reconcile',
      query: { dryRun: String(options.dryRun === true) },
    });
  }

  /** The API's OpenAPI 3.1 document. */
  openApi(): Promise<Record<string, unknown>> {
    return this.#send('GET /openapi.json', { path: '/openapi.json' });
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
          ...(this.#options.signal === undefined ? {} : { signal: this.#options.signal }),
        }),
    );
    // A target that could not be resolved (no stack running yet) is looked for again on the next call.
    this.#http.catch(() => {
      this.#http = undefined;
    });
    return this.#http;
  }

  async #send<T>(route: RouteKey, request: Omit<ApiRequest, 'method'>): Promise<T> {
    return (await this.#exchange<T>(route, request)).body;
  }

  async #exchange<T>(route: RouteKey, request: Omit<ApiRequest, 'method'>): Promise<ApiResponse<T>> {
    const client = await this.#client();
    const method = route.slice(0, route.indexOf(' ')) as ApiRequest['method'];
    return client.request<T>({ ...request, method });
  }
}
