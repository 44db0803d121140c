/** The demo platform as the tests start it: a free port, known secrets, a fixed clock, captured lines. */
import { afterAll, beforeAll } from 'vitest';
import {
  type DemoPlatformOptions,
  type RunningDemoPlatform,
  startDemoPlatform,
} from '../../../local/demo-platform/server.ts';
import { signPayload } from '../../../shared/kinds/signature.ts';
import { type ApiHarness, startApiHarness } from '../api/support.ts';

export const TOKEN = 'demo-token-7f3a';
export const SIGNING_SECRET = 'demo-ingest-c41e';
/** The platform's clock: signatures are made and checked at this instant, never the wall clock. */
export const NOW = new Date('2026-03-01T09:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

export interface Platform extends RunningDemoPlatform {
  readonly printed: string[];
  /** A request with the bearer token (unless `headers` sets Authorization itself). */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** POST /ingest of `body`, signed with the signing secret unless `signature` says otherwise. */
  ingest(body: unknown, options?: { signature?: string | null; idempotencyKey?: string }): Promise<Response>;
}

export async function withPlatform(
  options: Partial<DemoPlatformOptions>,
  test: (platform: Platform) => Promise<void>,
): Promise<void> {
  const printed: string[] = [];
  const running = await startDemoPlatform({
    port: 0,
    token: TOKEN,
    signingSecret: SIGNING_SECRET,
    now: () => NOW,
    print: (line) => printed.push(line),
    ...options,
  });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
    });
  const platform: Platform = {
    url: running.url,
    port: running.port,
    received: running.received,
    close: running.close,
    printed,
    call,
    ingest: (body, { signature, idempotencyKey } = {}) => {
      const raw = JSON.stringify(body);
      const header = signature === undefined ? signPayload(SIGNING_SECRET, NOW_SECONDS, raw) : signature;
      return fetch(`${running.url}/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(header === null ? {} : { 'Tickwork-Signature': header }),
          ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
        },
        body: raw,
      });
    },
  };
  try {
    await test(platform);
  } finally {
    await running.close();
  }
}

/** The JSON body of a response, with its status. */
export async function json(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface ApiWithDemoPlatform {
  readonly api: ApiHarness;
  readonly platform: RunningDemoPlatform;
}

/**
 * The local API (its Lambda runtime running the kinds' functions) and a demo platform, for the whole
 * file, with the secrets the README's job configs name (`demo-platform-token`, `demo-ingest`) and `more`.
 * Read inside tests only.
 */
export function useApiWithDemoPlatform(more: Record<string, string> = {}): ApiWithDemoPlatform {
  let api: ApiHarness | undefined;
  let platform: RunningDemoPlatform | undefined;
  beforeAll(async () => {
    api = await startApiHarness();
    platform = await startDemoPlatform({ port: 0, token: TOKEN, signingSecret: SIGNING_SECRET });
    await api.writeSecrets({ 'demo-platform-token': TOKEN, 'demo-ingest': SIGNING_SECRET, ...more });
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await api?.close();
  });
  return {
    get api() {
      if (api === undefined) throw new Error('read inside a test');
      return api;
    },
    get platform() {
      if (platform === undefined) throw new Error('read inside a test');
      return platform;
    },
  };
}
