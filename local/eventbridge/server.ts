/**
 * A local EventBridge endpoint: the one operation Tickwork's functions call (`@aws-sdk/client-eventbridge`
 * PutEventsCommand), served on 127.0.0.1 so the unmodified client reaches it through
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`. It keeps the events it takes (event-store.ts) for `tickwork events`.
 *
 * Wire format (awsJson1_1, as the client sends it): `POST /` with `X-Amz-Target: AWSEvents.PutEvents`,
 * `Content-Type: application/x-amz-json-1.1` and `{"Entries": [...]}`; answered
 * `{"FailedEntryCount", "Entries": [{"EventId"} | {"ErrorCode", "ErrorMessage"}]}`, one result per entry
 * in order. A request refused whole answers 400 with `{"__type", "message"}`, which the client turns into
 * a named exception. Every request passes the listener guard first (no `Origin`, a SigV4 signature of
 * the stack's credentials for service `events`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import type { LocalCredentials } from '../credentials.ts';
import { BodyTooLargeError, BrowserRequestError, createRequestGuard } from '../http/guard.ts';
import { listenHttp } from '../http/server.ts';
import { SignatureError } from '../http/sigv4.ts';
import { checkEntry, PutEventsValidationError, requestEntries } from './entries.ts';
import { EventStore, type StoredEvent } from './event-store.ts';

export const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';
/** The bus every account has. */
export const DEFAULT_EVENT_BUS = 'default';
/**
 * The most of a body read at all: 256 KB of entries, which JSON escaping of a Detail (itself JSON text)
 * can about double, with room for the rest of the request.
 */
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_1_1 = 'application/x-amz-json-1.1';

export interface EventBridgeApiOptions {
  /** @default 0 (any free port); the endpoint listens on 127.0.0.1 only */
  readonly port?: number;
  /** The only credentials accepted: every request must be SigV4-signed with them (service `events`). */
  readonly credentials: LocalCredentials;
  readonly region: string;
  readonly accountId: string;
  /** Where the events are kept (`events.jsonl`). */
  readonly dataDir: string;
  /** The buses besides `default` (PutEvents to any other answers the entry ResourceNotFoundException). */
  readonly buses?: readonly string[];
  /** Stamps the events. @default the system clock */
  readonly clock?: Clock;
  /** Gets a line per server problem and, at debug, per request, as component `eventbridge`. */
  readonly log?: Logger;
  /** Rotation size of the events file. @default MAX_EVENTS_FILE_BYTES */
  readonly maxEventsFileBytes?: number;
}

export interface EventBridgeApi {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  readonly port: number;
  /** The file the events are appended to. */
  readonly eventsFile: string;
  close(graceMs?: number): Promise<void>;
}

/** An awsJson1_1 error answer. */
class EventsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventsApiError';
  }
}

export async function startEventBridgeApi(options: EventBridgeApiOptions): Promise<EventBridgeApi> {
  const log = (options.log ?? createLogger({ write: (line) => process.stderr.write(`${line}\n`) })).child({
    component: 'eventbridge',
  });
  const clock = options.clock ?? systemClock;
  const store = new EventStore(options.dataDir, {
    ...(options.maxEventsFileBytes === undefined ? {} : { maxBytes: options.maxEventsFileBytes }),
  });
  const directory = {
    region: options.region,
    accountId: options.accountId,
    buses: new Set([DEFAULT_EVENT_BUS, ...(options.buses ?? [])]),
  };
  const guard = createRequestGuard({
    credentials: options.credentials,
    region: options.region,
    service: 'events',
    maxBodyBytes: MAX_BODY_BYTES,
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await guard(request);
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target !== PUT_EVENTS_TARGET) {
      throw new EventsApiError(
        400,
        'UnknownOperationException',
        `${request.method} ${String(target)} is not an operation of this endpoint; only PutEvents (X-Amz-Target: ${PUT_EVENTS_TARGET}) is served`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new EventsApiError(400, 'SerializationException', 'the request body is not JSON');
    }
    const checked = requestEntries(parsed).map((entry) => checkEntry(entry, directory));
    const now = clock.now();
    const kept: StoredEvent[] = [];
    const results = checked.map((entry) => {
      if (!entry.ok) return { ErrorCode: entry.errorCode, ErrorMessage: entry.errorMessage };
      const id = randomUUID();
      kept.push({
        id,
        bus: entry.bus,
        source: entry.source,
        detailType: entry.detailType,
        detail: entry.detail,
        resources: entry.resources,
        time: new Date(entry.timeMs ?? now.getTime()).toISOString(),
        receivedAt: now.toISOString(),
      });
      return { EventId: id };
    });
    await store.append(kept);
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    log.debug('PutEvents', { entries: results.length, failed });
    respond(response, 200, { FailedEntryCount: failed, Entries: results });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const answer = toEventsApiError(error);
      if (answer.status >= 500) log.error('PutEvents request failed', { error: String(error) });
      if (response.headersSent) {
        response.destroy();
        return;
      }
      request.resume();
      respond(response, answer.status, { __type: answer.code, message: answer.message });
    });
  });
  const listener = await listenHttp(server, { port: options.port ?? 0 });
  return {
    endpoint: listener.url,
    port: listener.port,
    eventsFile: store.path,
    close: async (graceMs = 10_000) => {
      await listener.close(graceMs);
    },
  };
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'Content-Type': JSON_1_1,
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    })
    .end(text);
}

/** The one place where errors become EventBridge's codes; anything unknown is a generic 500. */
function toEventsApiError(error: unknown): EventsApiError {
  if (error instanceof EventsApiError) return error;
  if (error instanceof PutEventsValidationError)
    return new EventsApiError(400, 'ValidationException', error.message);
  // JSON services answer an unauthenticated request 400 (DynamoDB and EventBridge alike).
  if (error instanceof SignatureError) return new EventsApiError(400, error.code, error.message);
  if (error instanceof BrowserRequestError)
    return new EventsApiError(403, 'AccessDeniedException', error.message);
  if (error instanceof BodyTooLargeError) {
    return new EventsApiError(
      400,
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  }
  return new EventsApiError(500, 'InternalException', 'internal error of the local EventBridge endpoint');
}
