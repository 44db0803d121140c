/**
 * The fan-out bench's world: the local stack as `tickwork local` runs it (dynalite on disk, the Scheduler
 * emulator, the in-process Lambda runtime with its event journal, the Invoke endpoint, the API front),
 * the demo platform as the expansion source (`GET /sessions?count=N`), and a sink that answers every
 * task delivery 200 at once and remembers it, so both sides of the bench do the same cheap work.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoPlatform } from '../../local/demo-platform/server.ts';
import { type LocalStack, startLocalStack } from '../../local/runtime.ts';

/** The secret the task jobs sign their deliveries with (its NAME is in the job, its value in secrets.json). */
export const SINK_SECRET = 'bench-sink';

export interface SinkDelivery {
  readonly job: string;
  readonly runId: string;
  readonly trigger: string;
}

export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of each answer
  readonly json: any;
}

export interface FanOutWorld {
  readonly stack: LocalStack;
  readonly sinkUrl: string;
  /** The expansion source answering `count` contexts. */
  sessionsUrl(count: number): string;
  readonly deliveries: SinkDelivery[];
  /**
   * Resolves when the sink received a delivery of `runId` (at once if it already did); rejects after
   * `limitMs`, so a run that never delivers fails the bench instead of hanging it.
   */
  delivered(runId: string, limitMs: number): Promise<void>;
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startFanOutWorld(): Promise<FanOutWorld> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-fan-out-bench-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ [SINK_SECRET]: 'bench-signing-secret' }), {
    mode: 0o600,
  });
  const stack = await startLocalStack({
    dataDir,
    apiPort: 0,
    schedulerPort: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    eventbridgePort: 0,
    shutdownGraceMs: 2_000,
    // No delivery fails in this bench; a retry would be a bug, so it should not hide behind a delay.
    asyncRetryDelaysMs: [],
    // The functions' own lines (one per run and more) would cost both sides the same and drown the figures.
    functionLogs: { level: 'error', format: 'json' },
  });
  const platform = await startDemoPlatform({ port: 0, token: 'unused', signingSecret: 'unused' });

  const deliveries: SinkDelivery[] = [];
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  const sink = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SinkDelivery;
      deliveries.push({ job: event.job, runId: event.runId, trigger: event.trigger });
      seen.add(event.runId);
      waiters.get(event.runId)?.();
      waiters.delete(event.runId);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const sinkPort = await listen(sink);
  const { apiUrl, token } = stack.endpoints;

  return {
    stack,
    sinkUrl: `http://127.0.0.1:${sinkPort}/deliveries`,
    sessionsUrl: (count) => `${platform.url}/sessions?count=${count}`,
    deliveries,
    delivered(runId, limitMs) {
      if (seen.has(runId)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(runId);
          reject(new Error(`run ${runId} delivered nothing to the sink in ${limitMs} ms`));
        }, limitMs);
        waiters.set(runId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async call(method, path, body) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await new Promise<void>((resolve) => sink.close(() => resolve()));
      await platform.close();
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
