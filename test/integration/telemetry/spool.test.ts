/**
 * The export's spool: every table read once into chunk files under a per-export directory, then sent.
 * The directory is gone however the export ends (success, a sink refusing, a source answering garbage,
 * a cancel), and a retry of the same window sends byte-identical chunks under the same keys. Real parts:
 * the outbound guard's client, the http source, the test platform over HTTP, the file system.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import type { OutboundRequests } from '../../../shared/kinds/capabilities.ts';
import { type ExportSettings, exportWindow } from '../../../shared/kinds/telemetry/export.ts';
import { httpSource } from '../../../shared/kinds/telemetry/http-source.ts';
import { startTelemetryPlatform, type TelemetryPlatform } from '../../support/telemetry-platform.ts';
import { expectedRows, exported } from './support.ts';

const SECRET = 'spool-ingest-secret';
const NOW = new Date('2026-03-02T10:00:00.000Z');
const WINDOW = { from: new Date('2026-03-02T08:58:00.000Z'), to: new Date('2026-03-02T09:58:00.000Z') };
const TABLES = ['predictions', 'latency'];

let platform: TelemetryPlatform;
let root: string;
const client = new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/test' });

beforeAll(async () => {
  platform = await startTelemetryPlatform({ secret: SECRET, now: () => NOW });
});
afterAll(async () => {
  await platform.close();
});
beforeEach(async () => {
  platform.deliveries.length = 0;
  platform.posts.length = 0;
  platform.telemetryRequests.length = 0;
  platform.failIngest = undefined;
  platform.holdIngest = undefined;
  platform.telemetryAnswer = undefined;
  platform.padBytes = 250;
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  root = await mkdtemp(join(tmpdir(), 'tickwork-spool-test-'));
});

function settings(overrides: Partial<ExportSettings> = {}): ExportSettings {
  return {
    job: 'spooled',
    model: { name: 'm', version: '1', environment: 'test', purpose: 'spool' },
    tables: TABLES,
    limit: 1000,
    maxChunkBytes: 4096,
    source: httpSource({ url: platform.telemetryUrl }, client),
    signal: new AbortController().signal,
    spoolRoot: root,
    remainingTimeMs: () => 60_000,
    checkpoint: async () => {},
    ...overrides,
  };
}

function sink(http: OutboundRequests = client) {
  return { url: platform.ingestUrl, secret: SECRET, timeoutMs: 10_000, http, now: () => NOW };
}

/** The client, recording every body it posts with its idempotency key (the request still goes out). */
function recording(sent: { key: string; body: string }[]): OutboundRequests {
  return {
    post: (url, body, headers, options) => {
      sent.push({ key: headers['Idempotency-Key'] ?? '', body });
      return client.post(url, body, headers, options);
    },
    request: (request) => client.request(request),
    stream: (request) => client.stream(request),
  };
}

describe('the export spool', () => {
  it('Given a window of many chunks, When it is exported, Then the chunks were spooled to files while sending and the directory is gone after', async () => {
    // Given: a look at the spool while the sink holds the first chunk
    let during: string[] = [];
    platform.holdIngest = async (index) => {
      if (index === 0) {
        const [dir] = await readdir(root);
        during = dir === undefined ? [] : await readdir(join(root, dir, '0'));
      }
    };
    // When
    const outcome = await exportWindow(settings(), sink(), WINDOW);
    // Then
    expect(outcome.chunks).toBeGreaterThan(5);
    expect(during.length).toBe(outcome.chunks);
    expect(exported(platform)).toEqual(
      expectedRows(TABLES, WINDOW.from.toISOString(), WINDOW.to.toISOString()),
    );
    // One read per table: nothing is read again to send.
    expect(platform.telemetryRequests.map((request) => request.table)).toEqual(TABLES);
    expect(await readdir(root)).toEqual([]);
  });

  it('Given a sink that refuses a chunk, When the export fails, Then the spool directory is gone', async () => {
    platform.failIngest = (index) => (index === 2 ? 503 : undefined);
    await expect(exportWindow(settings(), sink(), WINDOW)).rejects.toThrow('answered HTTP 503 to chunk 3');
    expect(await readdir(root)).toEqual([]);
  });

  it('Given a source answering garbage after some rows, When the export fails, Then the spool directory is gone', async () => {
    platform.telemetryAnswer = { body: `{"rows": [${'{"a": 1},'.repeat(500)} {"b": ` };
    await expect(exportWindow(settings(), sink(), WINDOW)).rejects.toThrow(
      'answered a body that is not JSON',
    );
    expect(platform.posts).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('Given a cancel while a chunk is in flight, When the export stops, Then the spool directory is gone', async () => {
    const cancel = new AbortController();
    platform.holdIngest = async (index) => {
      if (index === 1) cancel.abort(new Error('cancelled by test'));
    };
    const run = settings({
      signal: cancel.signal,
      checkpoint: async () => {
        if (cancel.signal.aborted) throw cancel.signal.reason;
      },
    });
    await expect(exportWindow(run, sink(), WINDOW)).rejects.toThrow('cancelled by test');
    expect(platform.posts.length).toBeLessThanOrEqual(2);
    expect(await readdir(root)).toEqual([]);
  });

  it('Given an export that failed part-way, When it is retried, Then every chunk is sent again byte for byte under the same key', async () => {
    const first: { key: string; body: string }[] = [];
    platform.failIngest = (index) => (index === 3 ? 500 : undefined);
    await expect(exportWindow(settings(), sink(recording(first)), WINDOW)).rejects.toThrow('HTTP 500');
    platform.failIngest = undefined;
    const retry: { key: string; body: string }[] = [];
    const outcome = await exportWindow(settings(), sink(recording(retry)), WINDOW);
    expect(first.length).toBe(4);
    expect(retry.length).toBe(outcome.chunks);
    expect(retry.slice(0, first.length)).toEqual(first);
    expect(new Set(retry.map((sent) => sent.key)).size).toBe(retry.length);
    expect(platform.deliveries.map((delivery) => delivery.rawBody)).toEqual(retry.map((sent) => sent.body));
    expect(await readdir(root)).toEqual([]);
  });
});
