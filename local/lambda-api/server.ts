/**
 * A local Lambda Invoke endpoint: the one operation of the Lambda API that Tickwork's functions call
 * (`@aws-sdk/client-lambda` InvokeCommand), served on 127.0.0.1 so the unmodified client reaches the
 * local runtime through `AWS_ENDPOINT_URL_LAMBDA`. It is generic over an invoke function, so it knows
 * nothing about how handlers are loaded or run.
 *
 * Wire format (restJson1, as the client sends it): `POST /2015-03-31/functions/{FunctionName}/invocations`
 * with the payload bytes as body, `X-Amz-Invocation-Type` and an optional `Qualifier` query.
 * Errors carry `x-amzn-errortype` and a `{"Type","Message"}` body, which the client turns into a
 * named exception.
 *
 * An Invoke runs a function, and the API function deletes jobs: every request passes the listener
 * guard (no `Origin`, a SigV4 signature with the stack's credentials), and the body must come as the
 * SDK sends it, not as a form or text a browser posts without asking (see INVOKE_CONTENT_TYPES).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createLogger, type Logger } from '../../shared/logger.ts';
import type { LocalCredentials } from '../credentials.ts';
import { BodyTooLargeError, BrowserRequestError, createRequestGuard } from '../http/guard.ts';
import { listenHttp } from '../http/server.ts';
import { SignatureError } from '../http/sigv4.ts';
import {
  describeError,
  InvalidPayloadError,
  RuntimeClosedError,
  UnknownFunctionError,
} from '../lambda/errors.ts';

export type InvocationType = 'Event' | 'RequestResponse' | 'DryRun';

/** The invocation types that run the handler (DryRun only checks the function exists). */
export type RunningInvocationType = Exclude<InvocationType, 'DryRun'>;

export interface LambdaApiOptions {
  /** @default 0 (any free port); the endpoint listens on 127.0.0.1 only */
  readonly port?: number;
  /** The only credentials accepted: every request must be SigV4-signed with them (service `lambda`). */
  readonly credentials: LocalCredentials;
  /** The Region signatures must be scoped to. @default 'us-east-1' */
  readonly region?: string;
  /**
   * Runs the function: resolves with the handler's result (RequestResponse) or once the event is
   * handled (Event); rejects with what the handler threw. `functionNameOrArn` is the FunctionName
   * of the request, percent-decoded, as the caller gave it.
   */
  readonly invoke: (
    functionNameOrArn: string,
    payload: unknown,
    invocationType: RunningInvocationType,
  ) => Promise<unknown>;
  /**
   * Accepts an Event invocation: resolves once the event is durably queued, and the 202 waits for it,
   * as Lambda's does. Without it, `invoke` runs the event in the background after the 202.
   */
  readonly acceptEvent?: (functionNameOrArn: string, payload: unknown) => Promise<unknown>;
  /** Whether a function of that name or ARN exists (unknown ones get ResourceNotFoundException). */
  readonly hasFunction: (functionNameOrArn: string) => boolean;
  /**
   * Gets a line per failed Event invocation, server problem, or Event invocation still running at
   * close, as component `lambda`. @default JSON lines on stderr at info
   */
  readonly log?: Logger;
  /**
   * How long `close()` waits for Event invocations still running before it gives up on them.
   * @default 10_000
   */
  readonly drainTimeoutMs?: number;
}

export interface LambdaApi {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_LAMBDA` or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /**
   * Stops accepting requests and waits for requests in flight and running Event invocations, at
   * most `drainTimeoutMs`. Resolves with the number of Event invocations still running when it gave
   * up (0 normally).
   */
  close(): Promise<number>;
}

// Lambda's payload quotas: 6 MB for synchronous invocations; 1 MB for asynchronous ones (raised from
// 256 KB in 2025). The larger bound caps what is read at all.
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

/**
 * The body types an Invoke may carry: the SDK sends `application/octet-stream` (checked against
 * @aws-sdk/client-lambda 3.1164), the AWS CLI v1 sends no content-type at all. The types a browser
 * may post cross-origin without a preflight (text/plain, forms) are exactly the ones refused.
 */
const INVOKE_CONTENT_TYPES: readonly (string | undefined)[] = [
  undefined,
  'application/octet-stream',
  'application/json',
];

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const INVOCATION_TYPES: readonly InvocationType[] = ['Event', 'RequestResponse', 'DryRun'];

/** A Lambda API error answer: HTTP status, the error code the client names the exception after, a message. */
class LambdaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'User' | 'Service' = 'User',
  ) {
    super(message);
    this.name = 'LambdaApiError';
  }
}

/** Starts the endpoint; resolves once it listens. */
export async function startLambdaApi(options: LambdaApiOptions): Promise<LambdaApi> {
  const log = (options.log ?? createLogger({ write: (line) => process.stderr.write(`${line}\n`) })).child({
    component: 'lambda',
  });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const inFlight = new Set<Promise<void>>();
  const guard = createRequestGuard({
    credentials: options.credentials,
    region: options.region ?? 'us-east-1',
    service: 'lambda',
    maxBodyBytes: SYNC_PAYLOAD_LIMIT,
  });

  const runEvent = (functionName: string, payload: unknown): void => {
    const work = options.invoke(functionName, payload, 'Event').then(
      () => undefined,
      (error: unknown) =>
        log.warn('Event invocation failed', { function: functionName, error: describeError(error) }),
    );
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const received = await guard(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      throw new LambdaApiError(
        404,
        'UnknownOperationException',
        `${request.method} ${url.pathname} is not an operation of this endpoint; only Invoke (POST /2015-03-31/functions/{FunctionName}/invocations) is served`,
      );
    }
    const functionName = decodeFunctionName(match[1] ?? '');
    const invocationType = parseInvocationType(request.headers['x-amz-invocation-type']);
    if (listener.closing) {
      throw new LambdaApiError(
        503,
        'ServiceException',
        'the local Lambda endpoint is shutting down',
        'Service',
      );
    }
    if (!options.hasFunction(functionName)) throw functionNotFound(functionName);
    const limit = invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    if (received.length > limit) throw payloadTooLarge(received.length, limit, invocationType);
    checkContentType(request.headers['content-type']);
    const payload = parsePayload(received);

    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event' && options.acceptEvent !== undefined) {
      try {
        await options.acceptEvent(functionName, payload);
      } catch (error) {
        rethrowRuntimeError(error, functionName);
        throw error;
      }
      response.writeHead(202).end();
      return;
    }
    if (invocationType === 'Event') {
      runEvent(functionName, payload);
      response.writeHead(202).end();
      return;
    }
    let body: string;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Amz-Executed-Version': '$LATEST',
    };
    try {
      body = JSON.stringify((await options.invoke(functionName, payload, 'RequestResponse')) ?? null);
    } catch (error) {
      rethrowRuntimeError(error, functionName);
      // A handler failure is a successful Invoke call: status 200, the error in the payload.
      headers['X-Amz-Function-Error'] = 'Unhandled';
      body = JSON.stringify(handlerErrorPayload(error));
    }
    response.writeHead(200, headers).end(body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!isRefusal(error)) {
        log.error('Invoke request failed', { path: request.url, error: describeError(error) });
      }
      const answer = toLambdaApiError(error, request);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // Drain what is left of an oversized body so the client reads the answer instead of a reset.
      request.resume();
      response
        .writeHead(answer.status, { 'Content-Type': 'application/json', 'x-amzn-errortype': answer.code })
        .end(JSON.stringify({ Type: answer.type, Message: answer.message }));
    });
  });

  const listener = await listenHttp(server, { port: options.port ?? 0 });

  return {
    endpoint: listener.url,
    port: listener.port,
    close: async () => {
      // An accepted Event invocation outlives its 202: the drain waits for those too.
      await listener.close(drainTimeoutMs, () => Promise.allSettled([...inFlight]));
      const abandoned = inFlight.size;
      if (abandoned > 0) {
        log.warn('Invoke endpoint closed with Event invocations still running', {
          running: abandoned,
          drainTimeoutMs,
        });
      }
      return abandoned;
    },
  };
}

function decodeFunctionName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new LambdaApiError(
      400,
      'ValidationException',
      `FunctionName "${raw}" is not valid percent-encoding`,
    );
  }
  if (name === '') throw new LambdaApiError(400, 'ValidationException', 'FunctionName must not be empty');
  return name;
}

function parseInvocationType(header: string | string[] | undefined): InvocationType {
  // The client leaves the header out for the default, RequestResponse.
  if (header === undefined) return 'RequestResponse';
  const value = Array.isArray(header) ? header[0] : header;
  const type = INVOCATION_TYPES.find((candidate) => candidate === value);
  if (type === undefined) {
    throw new LambdaApiError(
      400,
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`,
    );
  }
  return type;
}

function functionNotFound(functionName: string): LambdaApiError {
  return new LambdaApiError(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
}

function payloadTooLarge(size: number, limit: number, invocationType: InvocationType): LambdaApiError {
  return new LambdaApiError(
    413,
    'RequestTooLargeException',
    `${invocationType} payload of ${size} bytes exceeds the limit of ${limit} bytes`,
  );
}

function checkContentType(header: string | undefined): void {
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  if (!INVOKE_CONTENT_TYPES.includes(mediaType)) {
    throw new LambdaApiError(
      415,
      'UnsupportedMediaTypeException',
      `The content type '${header}' is not supported for an Invoke payload; send application/octet-stream or application/json, as the SDK does`,
    );
  }
}

/** Refusals are answered, not logged as failures of the endpoint. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof LambdaApiError ||
    error instanceof SignatureError ||
    error instanceof BrowserRequestError ||
    error instanceof BodyTooLargeError
  );
}

/** The one place where errors become Lambda's codes; anything unknown is a generic 500. */
function toLambdaApiError(error: unknown, request: IncomingMessage): LambdaApiError {
  if (error instanceof LambdaApiError) return error;
  // What Lambda answers an unauthenticated request with.
  if (error instanceof SignatureError) return new LambdaApiError(403, error.code, error.message);
  if (error instanceof BrowserRequestError) {
    return new LambdaApiError(403, 'AccessDeniedException', error.message);
  }
  if (error instanceof BodyTooLargeError) {
    return request.headers['x-amz-invocation-type'] === 'Event'
      ? payloadTooLarge(error.size, ASYNC_PAYLOAD_LIMIT, 'Event')
      : payloadTooLarge(error.size, error.limit, 'RequestResponse');
  }
  return new LambdaApiError(
    500,
    'ServiceException',
    'internal error of the local Lambda endpoint',
    'Service',
  );
}

function parsePayload(body: Buffer): unknown {
  // No payload reaches the handler as an empty object, as with `aws lambda invoke` without --payload.
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new LambdaApiError(
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Errors of the runtime itself (not of the handler) are API errors, as Lambda reports them. */
function rethrowRuntimeError(error: unknown, functionName: string): void {
  if (error instanceof UnknownFunctionError) throw functionNotFound(functionName);
  if (error instanceof InvalidPayloadError) {
    throw new LambdaApiError(400, 'InvalidRequestContentException', error.message);
  }
  if (error instanceof RuntimeClosedError)
    throw new LambdaApiError(503, 'ServiceException', error.message, 'Service');
}

/** The payload the Node.js runtime returns for an unhandled error. */
function handlerErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter((line) => line !== ''),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}
