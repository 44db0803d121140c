/**
 * Capabilities: what a job kind's work may use beyond the run itself. Each is a port owned by the
 * domain; a kind declares the ones it needs, its function's composition root builds exactly those
 * (`functions/commons/`), the stack maps each to its environment and IAM grants once (`infra/`), and the
 * local runtime maps each to its local values once (`local/lambda/`). Adding a capability means adding
 * it here, then the compiler asks for it in each of those maps.
 */
import type { JobIdentity, SecretSource } from '../jobs/ports.ts';
import type { EventBuses, UserFunctions } from './targets.ts';

export interface HttpAnswer {
  readonly status: number;
  /** The start of the response body as text (a bounded excerpt). */
  readonly bodyExcerpt: string;
}

export interface PostOptions {
  readonly timeoutMs: number;
  /** Aborts the request (the run was cancelled or is out of time). */
  readonly signal?: AbortSignal;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Aborts the request (the run was cancelled or is out of time). */
  readonly signal?: AbortSignal;
  /**
   * The most of the answer's body that is read; a longer body fails the request with
   * ResponseTooLargeError, so a platform answering a 10 MB page cannot fill the function's memory.
   */
  readonly maxResponseBytes: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body, decoded as UTF-8. */
  readonly body: string;
}

export interface HttpStreamResponse {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The body as it arrives. Iterating past `maxResponseBytes` throws ResponseTooLargeError; the timeout
   * and the signal cover the reading too. Stopping early (a `break`) closes the connection.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

/** Outbound requests, through the guard against private and metadata addresses. */
export interface OutboundRequests {
  /** A POST whose answer matters only by its status (and an excerpt for the error message). */
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: PostOptions,
  ): Promise<HttpAnswer>;
  /** A request whose answer is read whole (up to `maxResponseBytes`): an API's JSON, a page of rows. */
  request(request: HttpRequest): Promise<HttpResponse>;
  /** A request whose answer is read as it arrives, never held whole: a large page of rows. */
  stream(request: HttpRequest): Promise<HttpStreamResponse>;
}

/**
 * Outbound HTTP. Each request opens its own connection; a session's requests reuse theirs (many
 * requests to the same hosts in one run, e.g. a sync job's pages).
 */
export interface OutboundHttp extends OutboundRequests {
  /**
   * Requests that keep their connections open for the next request to the same vetted address, until
   * `close()`. Every request is still checked by the guard; the caller closes the session in a
   * `finally` of the same invocation, so no connection outlives it (Lambda freezes the container).
   */
  session(): OutboundSession;
}

export interface OutboundSession extends OutboundRequests {
  /** Closes every connection the session holds, idle or busy; its requests fail after this. */
  close(): void;
}

/** One metric a GetMetricData request reads: one statistic of one metric with its dimensions, in buckets. */
export interface MetricQuery {
  /** Names the query's result in the page (CloudWatch: a lower-case letter, then letters, digits, `_`). */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
  readonly periodSeconds: number;
  /** `Sum`, `Average`, `p99`, ... */
  readonly stat: string;
}

export interface MetricDataRequest {
  readonly queries: readonly MetricQuery[];
  /** Inclusive: a bucket starting at this instant is returned. */
  readonly startTime: Date;
  /** Exclusive: buckets start before this instant. */
  readonly endTime: Date;
  /** From the previous page; absent for the first. */
  readonly nextToken?: string;
  readonly signal?: AbortSignal;
}

export interface MetricDataResult {
  readonly id: string;
  /** The buckets' start instants, paired with `values` by position. */
  readonly timestamps: readonly Date[];
  readonly values: readonly number[];
  /** `Complete`, or `PartialData` while pages are left; `InternalError` and `Forbidden` are failures. */
  readonly status: string;
  /** What CloudWatch said about this query (a failure's reason). */
  readonly messages: readonly string[];
}

export interface MetricDataPage {
  readonly results: readonly MetricDataResult[];
  readonly nextToken?: string;
}

/** CloudWatch's GetMetricData, one page per call. */
export interface MetricData {
  getMetricData(request: MetricDataRequest): Promise<MetricDataPage>;
}

export interface LogsQueryRequest {
  readonly logGroupNames: readonly string[];
  /** Epoch seconds, inclusive (the API's granularity). */
  readonly startTimeSeconds: number;
  /** Epoch seconds, inclusive. */
  readonly endTimeSeconds: number;
  readonly queryString: string;
  /** The most rows the query returns (the API allows 1 to 10,000). */
  readonly limit: number;
  readonly signal?: AbortSignal;
}

/** The API's query statuses; Complete, Failed, Cancelled, Timeout and Unknown are final. */
export type LogsQueryStatus =
  | 'Scheduled'
  | 'Running'
  | 'Complete'
  | 'Failed'
  | 'Cancelled'
  | 'Timeout'
  | 'Unknown';

export interface LogsQueryResults {
  readonly status: LogsQueryStatus;
  /** Each result row as field → value (Logs Insights returns every value as text). */
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** CloudWatch Logs Insights: start a query, read its results, stop it. */
export interface LogsQueries {
  /** Returns the query id. */
  start(request: LogsQueryRequest): Promise<string>;
  results(queryId: string, options: { readonly signal?: AbortSignal }): Promise<LogsQueryResults>;
  stop(queryId: string): Promise<void>;
}

/** A job's checkpoint as stored: its value and the version a conditional advance names. */
export interface Checkpoint {
  /** Opaque to the store: a watermark instant, a cursor, a small JSON document. */
  readonly value: string;
  /** 1 for the first value, one more at each advance. */
  readonly version: number;
}

/**
 * Where a job keeps how far its work got: one value per job (a telemetry watermark), and keyed values
 * (a sync job's cursor per connector), each moved only by a conditional write. A checkpoint belongs to one job: a job deleted and
 * created again under the same name (another `createdAt`) starts without one.
 */
export interface CheckpointStore {
  /** The job's checkpoint; undefined when it has none (or only one left by an earlier job of its name). */
  read(job: JobIdentity): Promise<Checkpoint | undefined>;
  /**
   * Sets the checkpoint to `value` if it is still at `expectedVersion` (undefined: the job has none yet).
   * False, and nothing written, when another writer moved it first.
   */
  advance(job: JobIdentity, expectedVersion: number | undefined, value: string): Promise<boolean>;

  // Keyed checkpoints: several per job, one per key (a sync job's connectors), each leased by one run
  // at a time so that two runs of the job (overlap `allow`, a manual run during a scheduled one) never
  // read the same page twice or commit over each other.

  /** The keyed checkpoints of `keys` that exist (and belong to this job, not an earlier one of its name). */
  readKeyed(job: JobIdentity, keys: readonly string[]): Promise<ReadonlyMap<string, KeyedCheckpoint>>;
  /**
   * Takes the lease of key `key` for `lease.runId` if it is free (no lease, an expired one, or one this
   * run already holds: a retry of the run), creating the checkpoint at version 0 if there is none.
   * Answers the checkpoint as the lease found it, or the live lease that holds it.
   */
  acquireKeyed(job: JobIdentity, key: string, lease: CheckpointLease, now: Date): Promise<KeyedLease>;
  /**
   * Moves the checkpoint to `commit.value` if it is still at `commit.expectedVersion` and still leased by
   * `commit.runId`; with `release`, gives the lease back in the same write. False, and nothing written,
   * otherwise (reset, or taken over after the lease expired).
   */
  commitKeyed(job: JobIdentity, key: string, commit: KeyedCommit): Promise<boolean>;
  /** Gives back the lease if `runId` still holds it; does nothing otherwise. */
  releaseKeyed(job: JobIdentity, key: string, runId: string): Promise<void>;
  /**
   * Starts the key over: no value, a new generation, the version one more. Refused while a live lease
   * holds it (a run is syncing it), answering that lease.
   */
  resetKeyed(job: JobIdentity, key: string, now: Date): Promise<KeyedReset>;
}

/** A run's hold on a keyed checkpoint, until the run's function must have ended. */
export interface CheckpointLease {
  readonly runId: string;
  /** ISO instant: the function's deadline. After it the lease is free for any run. */
  readonly expiresAt: string;
}

/** One keyed checkpoint as stored. */
export interface KeyedCheckpoint {
  /** Where the next run starts from; undefined: from the beginning. */
  readonly value?: string;
  /** 0 before the first commit; one more at each commit and each reset. */
  readonly version: number;
  /** One more at each reset (or full resync): a new pass over the data, which re-sends it. */
  readonly generation: number;
  /** ISO instant of the last commit or reset. */
  readonly updatedAt?: string;
  readonly lease?: CheckpointLease;
}

export interface KeyedCommit {
  readonly runId: string;
  readonly expectedVersion: number;
  /** undefined: from the beginning. */
  readonly value: string | undefined;
  readonly generation: number;
  readonly updatedAt: Date;
  /** Give the lease back in the same write (the run's last commit of this key). */
  readonly release: boolean;
}

export type KeyedLease =
  | { readonly acquired: true; readonly checkpoint: KeyedCheckpoint }
  /** A live lease of another run holds it. */
  | { readonly acquired: false; readonly reason: 'held'; readonly holder: CheckpointLease }
  /** The name belongs to a job created after the one the run read (deleted and created again). */
  | { readonly acquired: false; readonly reason: 'recreated' };

export type KeyedReset =
  | { readonly reset: true; readonly checkpoint: KeyedCheckpoint }
  | { readonly reset: false; readonly holder: CheckpointLease };

/** One Converse call: a single user message, the inference settings, and metadata tagging the call. */
export interface ConverseRequest {
  readonly modelId: string;
  readonly prompt: string;
  readonly inferenceConfig: {
    readonly maxTokens: number;
    readonly temperature: number;
    readonly topP: number;
  };
  /** Recorded with the invocation (model-invocation logs), so telemetry can tell calibration traffic apart. */
  readonly requestMetadata: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Amazon Bedrock's Converse API; ModelCallError when a call got no answer. */
export interface BedrockModels {
  converse(request: ConverseRequest): Promise<ModelAnswer>;
}

/** One synchronous call of a user's model function: `{prompt, model, maxTokens}` in, `{text, usage?}` out. */
export interface ModelFunctionRequest {
  readonly functionArn: string;
  readonly payload: { readonly prompt: string; readonly model: unknown; readonly maxTokens: number };
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Users' own model functions on Lambda, on the ARNs the stack allows; ModelCallError when one failed. */
export interface ModelFunctions {
  invoke(request: ModelFunctionRequest): Promise<ModelAnswer>;
}

/** A budget counter: what one job has used in one UTC day, or in one run (its slot, across attempts). */
export interface BudgetCounter {
  readonly job: string;
  readonly period: { readonly day: string } | { readonly slot: string };
}

/** Money in millionths of a dollar (whole numbers add up exactly), and tokens. */
export interface BudgetAmount {
  readonly microUsd: number;
  readonly tokens: number;
}

/** The most a counter may reach; an absent limit is no limit. */
export interface BudgetLimits {
  readonly microUsd?: number;
  readonly tokens?: number;
}

export type BudgetReservation =
  | { readonly reserved: true }
  /** Adding the amount would have crossed `exceeded`; nothing was added. `used` is the counter as read. */
  | { readonly reserved: false; readonly exceeded: keyof BudgetAmount; readonly used: BudgetAmount };

/**
 * Budget counters shared by every run and every concurrent function of a job: a reservation is one
 * atomic, conditional add, so two runs can never both take the last of a budget.
 */
export interface Budgets {
  /** Adds `amount` to the counter if it stays within every limit afterwards; otherwise adds nothing. */
  reserve(counter: BudgetCounter, amount: BudgetAmount, limits: BudgetLimits): Promise<BudgetReservation>;
  /** Adds `delta` (negative to give back) whatever the limits: settling a reservation to what was used. */
  add(counter: BudgetCounter, delta: BudgetAmount): Promise<void>;
  /** The counter's amount; zero for a counter never written. */
  read(counter: BudgetCounter): Promise<BudgetAmount>;
}

/** Every capability a kind may declare, by id. */
export interface Capabilities {
  /** Secret values by name (Secrets Manager under the stage's prefix; locally secrets.json). */
  readonly secrets: SecretSource;
  /** Outbound HTTP to the targets job configs name. */
  readonly http: OutboundHttp;
  /** CloudWatch metric data (GetMetricData): read-only. */
  readonly metrics: MetricData;
  /** CloudWatch Logs Insights queries over named log groups: read-only. */
  readonly logs: LogsQueries;
  /** Per-job checkpoints (a small item of the job's own in the jobs table). */
  readonly checkpoints: CheckpointStore;
  /** Budget counters shared across runs and concurrent functions (items in the jobs table). */
  readonly budgets: Budgets;
  /** Amazon Bedrock models, on the model ids the stack allows. */
  readonly bedrock: BedrockModels;
  /** Users' model functions, invoked synchronously, on the ARNs the stack allows. */
  readonly modelFunctions: ModelFunctions;
  /** Users' own functions, invoked synchronously, on the ARNs the stack allows (`tickwork:taskFunctionArns`). */
  readonly taskFunctions: UserFunctions;
  /** EventBridge PutEvents, on the buses the stack allows (`tickwork:eventBusNames`). */
  readonly eventBuses: EventBuses;
}

export type CapabilityId = keyof Capabilities;

/** Every capability id, for the maps that must cover each one. */
export const CAPABILITY_IDS = [
  'secrets',
  'http',
  'metrics',
  'logs',
  'checkpoints',
  'budgets',
  'bedrock',
  'modelFunctions',
  'taskFunctions',
  'eventBuses',
] as const satisfies readonly CapabilityId[];

/** Token counts a model reported for one call. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A model's answer to one prompt; `usage` when the provider reported it. */
export interface ModelAnswer {
  readonly text: string;
  readonly usage?: TokenUsage;
}

/**
 * A model call that got no usable answer. `retryable` when the same call may work later (throttled,
 * a 5xx, no answer in time); `retryAfterMs` when the provider said how long to wait.
 */
export class ModelCallError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** No answer in time: the provider may still have done (and billed) the work. */
  readonly timedOut: boolean;

  constructor(
    message: string,
    options: ErrorOptions & {
      readonly retryable: boolean;
      readonly retryAfterMs?: number | undefined;
      readonly timedOut?: boolean;
    },
  ) {
    super(message, options);
    this.name = 'ModelCallError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.timedOut = options.timedOut ?? false;
  }
}
