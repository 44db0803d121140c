/** `jobs` and `checkpoints` of the typed client: one method per route of /jobs. */
import { routePath } from './http.ts';
import {
  type BackfillRequest,
  type BackfillStarted,
  type Checkpoint,
  type Checkpoints,
  type Cursor,
  type DeleteJobOptions,
  type Exchange,
  everyItem,
  type Job,
  type JobDefinition,
  type JobListQuery,
  type JobPatch,
  type JobsPage,
  type Send,
  type UpsertedJob,
  type WrittenJob,
} from './types.ts';

/** Iterations read pages of the API's largest size: fewer requests for the same items. */
export const ITERATION_PAGE_SIZE = 100;

export const jobPath = (name: string, rest = '') => routePath(`/jobs/{name}${rest}`, { name });

export class JobsClient {
  readonly #send: Send;
  readonly #exchange: Exchange;

  constructor(send: Send, exchange: Exchange) {
    this.#send = send;
    this.#exchange = exchange;
  }

  /** Creates the job and its schedule; ConflictError when the name is taken. */
  create(definition: JobDefinition): Promise<WrittenJob> {
    return this.#send('POST /jobs', { path: '/jobs', body: definition });
  }

  /** Creates or replaces the job named `definition.name`. */
  async put(definition: JobDefinition): Promise<WrittenJob> {
    return (await this.upsert(definition)).job;
  }

  /** {@link put}, telling whether the job was created or replaced one of that name. */
  async upsert(definition: JobDefinition): Promise<UpsertedJob> {
    const answer = await this.#exchange<WrittenJob>('PUT /jobs/{name}', {
      path: jobPath(definition.name),
      body: definition,
    });
    return { job: answer.body, created: answer.status === 201 };
  }

  get(name: string): Promise<Job> {
    return this.#send('GET /jobs/{name}', { path: jobPath(name) });
  }

  /** One page of jobs (by name); `cursor` is the previous page's `nextCursor`. */
  page(query: JobListQuery & Cursor = {}): Promise<JobsPage> {
    return this.#send('GET /jobs', {
      path: '/jobs',
      query: {
        kind: query.kind,
        name: query.name,
        enabled: query.enabled?.toString(),
        limit: query.pageSize?.toString(),
        cursor: query.cursor,
      },
    });
  }

  /** Every job that matches, page after page as the iteration asks for them. */
  list(query: JobListQuery & Cursor = {}): AsyncIterableIterator<Job> {
    const pageSize = query.pageSize ?? ITERATION_PAGE_SIZE;
    return everyItem(
      (cursor) => this.page({ ...query, pageSize, ...(cursor === undefined ? {} : { cursor }) }),
      (page) => page.jobs,
      query.cursor,
    );
  }

  /** Changes some fields (a JSON Merge Patch: `null` resets a field, config and tags merge). */
  update(name: string, patch: JobPatch): Promise<WrittenJob> {
    return this.#send('PATCH /jobs/{name}', { path: jobPath(name), body: patch });
  }

  /**
   * Deletes the job and its schedule (its run history stays until it expires). ConflictError when other
   * jobs chain to it, unless `unlinkChains` removes those links first.
   */
  async delete(name: string, options: DeleteJobOptions = {}): Promise<void> {
    await this.#send('DELETE /jobs/{name}', {
      path: jobPath(name),
      ...(options.unlinkChains === true ? { query: { unlinkChains: 'true' } } : {}),
    });
  }

  /** Pauses the job; `note` says why (shown in status, cleared on resume). */
  pause(name: string, options: { readonly note?: string } = {}): Promise<Job> {
    return this.#send('POST /jobs/{name}/pause', {
      path: jobPath(name, '/pause'),
      ...(options.note === undefined ? {} : { body: { note: options.note } }),
    });
  }

  resume(name: string): Promise<Job> {
    return this.#send('POST /jobs/{name}/resume', { path: jobPath(name, '/resume') });
  }

  /**
   * Runs every slot of the job's schedule in `[from, to)` (past slots only, at most 1,000), `concurrency`
   * at a time: resolves with the backfill and the first run of each lane; the rest follow as each ends.
   */
  backfill(name: string, request: BackfillRequest): Promise<BackfillStarted> {
    return this.#send('POST /jobs/{name}/backfill', { path: jobPath(name, '/backfill'), body: request });
  }
}

/** The checkpoints of a sync job, one per connector. */
export class CheckpointsClient {
  readonly #send: Send;

  constructor(send: Send) {
    this.#send = send;
  }

  list(job: string): Promise<Checkpoints> {
    return this.#send('GET /jobs/{name}/checkpoints', { path: jobPath(job, '/checkpoints') });
  }

  /**
   * Starts one connector over: the job's next run reads it from the beginning (the sink gets its records
   * again under new idempotency keys). ConflictError while a run is syncing that connector.
   */
  reset(job: string, connector: string): Promise<Checkpoint> {
    return this.#send('POST /jobs/{name}/checkpoints/{connector}/reset', {
      path: routePath('/jobs/{name}/checkpoints/{connector}/reset', { name: job, connector }),
    });
  }
}
