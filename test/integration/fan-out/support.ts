/**
 * A fan-out's outside world for tests: an expansion source that answers each path as the test says,
 * and a webhook receiver that records each prompt delivery and answers it by a rule of the test (per
 * context key), optionally holding it until the test lets it go.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiAnswer, ApiHarness } from '../api/support.ts';

export interface Delivery {
  readonly runId: string;
  readonly prompt: string;
  readonly metadata: Record<string, unknown>;
}

export interface FanOutWorld {
  readonly sourceUrl: (path: string) => string;
  readonly hookUrl: string;
  /** What `GET <path>` answers: a JSON value, or a raw string body. */
  readonly sources: Map<string, { status: number; body: unknown }>;
  readonly deliveries: Delivery[];
  /** The status a delivery gets; default 200. May wait (a held delivery). */
  answer: (delivery: Delivery) => number | Promise<number>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startFanOutWorld(): Promise<FanOutWorld> {
  const sources = new Map<string, { status: number; body: unknown }>();
  const deliveries: Delivery[] = [];
  const world = {
    sources,
    deliveries,
    answer: (_delivery: Delivery): number | Promise<number> => 200,
  };
  const source = createServer((request, response) => {
    const found = sources.get(request.url ?? '');
    response.writeHead(found?.status ?? 404, { 'content-type': 'application/json' });
    response.end(
      found === undefined ? '{}' : typeof found.body === 'string' ? found.body : JSON.stringify(found.body),
    );
  });
  const hook = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const delivery = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery;
      deliveries.push(delivery);
      const status = await world.answer(delivery);
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : 'no');
    });
  });
  const sourcePort = await listen(source);
  const hookPort = await listen(hook);
  return Object.assign(world, {
    sourceUrl: (path: string) => `http://127.0.0.1:${sourcePort}${path}`,
    hookUrl: `http://127.0.0.1:${hookPort}/hooks/tickwork`,
    async close() {
      await close(source);
      await close(hook);
    },
  });
}

export { ended, runToEnd } from '../api/support.ts';

/** Every child of a parent, read through `GET /runs/{id}/children` page by page. */
export async function childrenOf(api: ApiHarness, runId: string): Promise<ApiAnswer['json'][]> {
  const runs: ApiAnswer['json'][] = [];
  let cursor: string | null = null;
  do {
    const answer: ApiAnswer = await api.call(
      'GET',
      `/runs/${runId}/children?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    if (answer.status !== 200) throw new Error(`children of ${runId} not listed: ${answer.text}`);
    runs.push(...answer.json.runs);
    cursor = answer.json.nextCursor;
  } while (cursor !== null);
  return runs;
}
