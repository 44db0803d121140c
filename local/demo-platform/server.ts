/**
 * The demo platform: one loopback HTTP server that plays an AI-operations platform (telemetry rows,
 * calibration prompts and answers, a model registry, a signed ingest) and an OpenAI-compatible model,
 * for the telemetry and calibration kinds. `tickwork demo-platform` runs it; integration tests and
 * benchmarks start the same server with {@link startDemoPlatform}.
 *
 * Every route but `/health` and `/ingest` needs `Authorization: Bearer <token>`; `/ingest` is
 * authenticated by its `Tickwork-Signature` instead, as any receiver of Tickwork deliveries is.
 * Requests from web pages (an `Origin` header) are refused, as by every local listener.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ValidationError } from '../../shared/errors.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/kinds/signature.ts';
import { BodyTooLargeError, browserRequestRefusal, readBoundedBody } from '../http/guard.ts';
import { listenHttp } from '../http/server.ts';
import { CalibrationDesk, DEFAULT_PROMPTS, type RecordedResponse, registryPrompts } from './calibration.ts';
import { type ConnectorsReceived, connectorHandlers } from './connectors.ts';
import { sessionContexts } from './contexts.ts';
import { IngestLog, type IngestReceived } from './ingest.ts';
import { DemoModel, type ModelCall, openAiError } from './model.ts';
import { DEMO_ROUTES } from './routes.ts';
import { DEFAULT_ROWS_PER_MINUTE, parseTelemetryQuery, singleParam, telemetryRows } from './telemetry.ts';

export { DEMO_ROUTES } from './routes.ts';

/** Chunks of a telemetry export are 1 MiB by default; 8 MiB leaves room for a larger maxChunkBytes. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Ingest bodies kept for `received()`; beyond it they are counted only (a benchmark sends 100 000 rows). */
const DEFAULT_RETAIN_INGEST_BYTES = 64 * 1024 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,256}$/;
const CLOSE_GRACE_MS = 2_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

export interface DemoPlatformOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The bearer token every authenticated route expects (the value of `--token-secret`). */
  readonly token: string;
  /** The secret `/ingest` verifies `Tickwork-Signature` with (the value of `--signing-secret`). */
  readonly signingSecret: string;
  /** @default 0 */
  readonly modelLatencyMs?: number;
  /** Share of model requests answered 429, 0..1. @default 0 */
  readonly failRate?: number;
  /** Prompts per calibration run and per registry model version. @default 5 */
  readonly prompts?: number;
  /** @default 10 */
  readonly rowsPerMinute?: number;
  /** One line per event. @default nothing printed */
  readonly print?: (line: string) => void;
  /** What signatures are checked against, and `created` of model answers. @default the wall clock */
  readonly now?: () => Date;
  /** @default 64 MiB */
  readonly retainIngestBytes?: number;
  /** Records of the `crm` connector. @default 250 */
  readonly connectorRecords?: number;
  /** The offset from which the `tickets` connector fails. @default 40 */
  readonly connectorFailAt?: number;
  /** Awaited before a connector page is answered (tests: a run kept mid-sync). */
  readonly beforeConnectorPage?: (connector: string, offset: number) => Promise<void>;
}

/** Everything that arrived so far. */
export interface DemoReceived {
  readonly ingest: IngestReceived;
  readonly calibration: {
    readonly runs: number;
    readonly accepted: readonly RecordedResponse[];
    readonly duplicates: number;
  };
  readonly model: {
    readonly calls: readonly ModelCall[];
    readonly completed: number;
    readonly throttled: number;
  };
  readonly connectors: ConnectorsReceived;
}

export interface RunningDemoPlatform {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  received(): DemoReceived;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export async function startDemoPlatform(options: DemoPlatformOptions): Promise<RunningDemoPlatform> {
  const sink = options.print ?? (() => {});
  // Printed lines quote what clients sent (ids, model and table names): no terminal control sequences.
  const print = (line: string) => sink(line.replace(CONTROL_CHARACTERS, '\uFFFD'));
  const now = options.now ?? (() => new Date());
  const prompts = options.prompts ?? DEFAULT_PROMPTS;
  const rowsPerMinute = options.rowsPerMinute ?? DEFAULT_ROWS_PER_MINUTE;
  const desk = new CalibrationDesk(prompts);
  const ingest = new IngestLog(options.retainIngestBytes ?? DEFAULT_RETAIN_INGEST_BYTES);
  const model = new DemoModel({
    latencyMs: options.modelLatencyMs ?? 0,
    failRate: options.failRate ?? 0,
    now,
    onCall: (call) =>
      print(`model ${call.model} request ${call.n}: ${call.outcome === 'completed' ? 200 : 429}`),
  });
  const tokenDigest = digest(options.token);
  const connectors = connectorHandlers(
    {
      ...(options.connectorRecords === undefined ? {} : { records: options.connectorRecords }),
      ...(options.connectorFailAt === undefined ? {} : { failAt: options.connectorFailAt }),
      ...(options.beforeConnectorPage === undefined ? {} : { beforePage: options.beforeConnectorPage }),
    },
    print,
  );

  const received = (): DemoReceived => {
    const calls = model.calls();
    const completed = calls.filter((call) => call.outcome === 'completed').length;
    return {
      ingest: ingest.received(),
      calibration: desk.received(),
      model: { calls, completed, throttled: calls.length - completed },
      connectors: connectors.received(),
    };
  };

  /** The bearer check: a digest compared in constant time, so the token's length does not leak either. */
  const bearerRefusal = (request: IncomingMessage): string | undefined => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer (.+)$/i.exec(header);
    if (match === null) return 'this route needs Authorization: Bearer <token> (the --token-secret secret)';
    return timingSafeEqual(digest(match[1] as string), tokenDigest)
      ? undefined
      : 'the bearer token is not valid';
  };

  const routes: Record<
    string,
    (request: IncomingMessage, url: URL, body: Buffer, signal: AbortSignal) => Promise<Answer> | Answer
  > = {
    'GET /health': () => ({ status: 200, body: { ok: true } }),
    'GET /telemetry': (_request, url) => {
      const query = parseTelemetryQuery(url.searchParams);
      const rows = telemetryRows(query, rowsPerMinute);
      print(
        `telemetry table=${query.table} window=${new Date(query.from).toISOString()}..${new Date(query.to).toISOString()} rows=${rows.length}`,
      );
      return { status: 200, body: { rows } };
    },
    'GET /calibration/prompts': () => ({ status: 200, body: desk.pending() }),
    'POST /calibration/responses': (_request, _url, raw) => {
      const { accepted, duplicates, fresh } = desk.submit(parseJson(raw));
      for (const response of fresh) {
        print(
          `response ${response.calibrationRunId} ${response.promptId} responseId=${response.responseId} tokens=${response.inputTokens}/${response.outputTokens}: ${JSON.stringify(response.text.slice(0, 80))}`,
        );
      }
      if (duplicates > 0) print(`responses: ${duplicates} duplicate(s) not counted again`);
      return { status: 200, body: { accepted, duplicates } };
    },
    'GET /registry/prompts': (_request, url) => {
      const list = registryPrompts({
        model: singleParam(url.searchParams, 'model', true),
        version: singleParam(url.searchParams, 'version', true),
        count: prompts,
      });
      return { status: 200, body: { prompts: list } };
    },
    'POST /ingest': async (request, _url, raw) => {
      const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
      const check = verifySignature(Array.isArray(header) ? header[0] : header, raw, options.signingSecret, {
        now: now(),
      });
      if (!check.valid) {
        print(`ingest refused: signature ${check.reason}`);
        return { status: 401, body: { error: `${SIGNATURE_HEADER} does not verify: ${check.reason}` } };
      }
      const keyHeader = request.headers['idempotency-key'];
      const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ValidationError('Idempotency-Key', 'Idempotency-Key must be 1-256 printable characters');
      }
      const outcome = ingest.accept(parseJson(raw), raw.length, key);
      print(outcome.summary);
      return { status: 200, body: outcome.duplicate ? { duplicate: true } : { received: true } };
    },
    'POST /v1/chat/completions': async (_request, _url, raw, signal) => {
      return await model.complete(parseJson(raw), signal);
    },
    'GET /sessions': (_request, url) => ({ status: 200, body: sessionContexts(url.searchParams) }),
    'GET /demo/received': () => ({ status: 200, body: summary(received()) }),
    ...Object.fromEntries(
      Object.entries(connectors.handlers).map(([key, serve]) => [
        key,
        (_request: IncomingMessage, url: URL) => serve(url),
      ]),
    ),
  };

  /** The answer to one request: refusals first (web page, route, method, auth), then the route's own. */
  const dispatch = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<Answer> => {
    const openAi = url.pathname.startsWith('/v1/');
    const refuse = (status: number, message: string, headers: Record<string, string> = {}): Answer =>
      openAi ? { ...openAiError(status, message), headers } : { status, body: { error: message }, headers };
    const origin = browserRequestRefusal(request.headers);
    if (origin !== undefined) return refuse(403, origin.message);
    const route = DEMO_ROUTES.find((candidate) => candidate.path === url.pathname);
    if (route === undefined) {
      return refuse(
        404,
        `no route ${url.pathname}; the routes are ${DEMO_ROUTES.map((r) => r.path).join(', ')}`,
      );
    }
    if (route.method !== request.method) {
      return refuse(405, `${route.path} takes ${route.method}`, { allow: route.method });
    }
    const refusal = route.auth === 'bearer' ? bearerRefusal(request) : undefined;
    if (refusal !== undefined) return refuse(401, refusal, { 'www-authenticate': 'Bearer' });
    try {
      const raw = route.method === 'POST' ? await readBoundedBody(request, MAX_BODY_BYTES) : Buffer.alloc(0);
      // The response closes before it is sent only when the client went away: stop waiting for it.
      const gone = new AbortController();
      response.once('close', () => gone.abort());
      const serve = routes[`${route.method} ${route.path}`] as (typeof routes)[string];
      return await serve(request, url, raw, gone.signal);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        request.resume();
        return refuse(413, `the body must be at most ${MAX_BODY_BYTES} bytes`);
      }
      if (error instanceof ValidationError) return refuse(400, error.message);
      throw error;
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const answer = await dispatch(request, response, new URL(request.url ?? '/', 'http://127.0.0.1'));
    if (response.destroyed) return;
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      print(`error: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'demo platform error' }));
      }
    });
  });
  const listener = await listenHttp(server, { port: options.port });
  return {
    url: listener.url,
    port: listener.port,
    received,
    close: async () => {
      await listener.close(CLOSE_GRACE_MS);
    },
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('body', 'the body must be JSON');
  }
}

/** `GET /demo/received`: counts and ids, not the bodies (those can be megabytes). */
function summary(received: DemoReceived): unknown {
  const { ingest, calibration, model } = received;
  return {
    ingest: {
      bodies: ingest.bodies,
      duplicates: ingest.duplicates,
      telemetry: ingest.telemetry,
      calibration: ingest.calibration,
      connectors: ingest.connectors,
      idempotencyKeys: ingest.items.flatMap((item) =>
        item.idempotencyKey === undefined ? [] : [item.idempotencyKey],
      ),
    },
    calibration: {
      runs: calibration.runs,
      accepted: calibration.accepted.length,
      duplicates: calibration.duplicates,
      responses: calibration.accepted.map(({ calibrationRunId, promptId, responseId }) => ({
        calibrationRunId,
        promptId,
        responseId,
      })),
    },
    model: { calls: model.calls.length, completed: model.completed, throttled: model.throttled },
  };
}
