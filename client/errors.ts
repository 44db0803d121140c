/**
 * What the API answered instead of a success, as typed errors carrying its message: `ValidationError`
 * (400, with every problem), `NotFoundError` (404), `ConflictError` (409), and `ApiError` for the rest;
 * `ApiUnreachableError` when there was no answer, `TargetError` when the target is unusable, and
 * `TimeoutError` when a wait gave up.
 */
/** One problem the API found in a request: the field as a dotted path (`config.target.url`) and why. */
export interface ApiProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * The API answered with an error: `{"error": {"type", "message", "details"?: [{"field", "message"}]}}`.
 * `details` lists every problem of a refused request (the first is `message`); empty when the answer
 * has none.
 */
export class ApiError extends Error {
  readonly details: readonly ApiProblem[];

  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    details: readonly ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.details = details;
  }
}

/** 400: the request broke the API's rules; `details` lists every problem (field and rule). */
export class ValidationError extends ApiError {
  constructor(status: number, type: string, message: string, details: readonly ApiProblem[] = []) {
    super(status, type, message, details);
    this.name = 'ValidationError';
  }
}

/** 404: no such job or run. */
export class NotFoundError extends ApiError {
  constructor(status: number, type: string, message: string, details: readonly ApiProblem[] = []) {
    super(status, type, message, details);
    this.name = 'NotFoundError';
  }
}

/** 409: the job or run is in a state that does not allow the request (a taken name, a finished run). */
export class ConflictError extends ApiError {
  constructor(status: number, type: string, message: string, details: readonly ApiProblem[] = []) {
    super(status, type, message, details);
    this.name = 'ConflictError';
  }
}

/** A wait (`runs.wait`) gave up with the run still going; `runId` and its last known `status`. */
export class TimeoutError extends Error {
  constructor(
    message: string,
    readonly runId: string,
    readonly status: string,
  ) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** No answer: connection refused, DNS, TLS, no answer within the timeout, or a body that is not JSON. */
export class ApiUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiUnreachableError';
  }
}

/** The caller's signal (ClientOptions `signal`) aborted the request: it stopped waiting, on purpose. */
export class RequestAbortedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RequestAbortedError';
  }
}

/** The local stack's endpoints.json is missing or unusable, or the deployed target is misconfigured. */
export class TargetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TargetError';
  }
}

export function errorFromAnswer(status: number, body: unknown, text: string): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined && typeof error.message === 'string') {
    const type = typeof error.type === 'string' ? error.type : 'Error';
    const details = problems(error.details);
    const Typed =
      status === 400
        ? ValidationError
        : status === 404
          ? NotFoundError
          : status === 409
            ? ConflictError
            : ApiError;
    return new Typed(status, type, error.message, details);
  }
  // API Gateway's own refusals (IAM, throttling) answer `{"message": "..."}`.
  if (isRecord(body) && typeof body.message === 'string') return new ApiError(status, 'Error', body.message);
  return new ApiError(status, 'Error', `HTTP ${status}${text === '' ? '' : `: ${excerpt(text)}`}`);
}

/** The `[{"field", "message"}]` entries of an answer (error details, warnings); others are skipped. */
export function problems(value: unknown): ApiProblem[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .flatMap((entry) =>
      typeof entry.message === 'string'
        ? [{ field: typeof entry.field === 'string' ? entry.field : '', message: entry.message }]
        : [],
    );
}

export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
