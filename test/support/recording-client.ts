/**
 * A TickworkClient whose requests are recorded instead of sent: for unit tests of what a method or a
 * command line puts on the wire (method, path, query, JSON body), with nothing listening. It finds its
 * target as every client does (an endpoints.json in a data directory, bearer token included); only the
 * HTTP exchange is replaced, answering each request with `answer`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiRequest } from '../../client/http.ts';
import { TickworkClient } from '../../client/index.ts';

export interface RecordingClient {
  readonly client: TickworkClient;
  /** What was sent, in order; `query` and `body` only when the request had them. */
  readonly sent: ApiRequest[];
}

/** An answer that fits every route well enough for a caller to read it: empty pages, a run id. */
export const ANY_ANSWER = {
  jobs: [],
  runs: [],
  checkpoints: [],
  nextCursor: null,
  runId: '01JCDT6Q7M3H8W4R5N9X2B1KZE',
  status: 'succeeded',
};

export function recordingClient(answer: unknown = ANY_ANSWER): RecordingClient {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickwork-recording-'));
  writeFileSync(
    join(dataDir, 'endpoints.json'),
    JSON.stringify({ apiUrl: 'http://127.0.0.1:9/', token: 'recording' }),
  );
  const sent: ApiRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const query = Object.fromEntries(url.searchParams);
    sent.push({
      method: (init?.method ?? 'GET') as ApiRequest['method'],
      path: url.pathname,
      ...(url.search === '' ? {} : { query }),
      ...(typeof init?.body === 'string' ? { body: JSON.parse(init.body) } : {}),
    });
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { client: new TickworkClient({ dataDir, fetch }), sent };
}
