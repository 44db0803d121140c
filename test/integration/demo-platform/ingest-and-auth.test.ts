/**
 * POST /ingest (authenticated by Tickwork's signature, once per Idempotency-Key) and the bearer token
 * every other route but /health needs.
 */
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../../shared/kinds/signature.ts';
import { json, NOW_SECONDS, SIGNING_SECRET, withPlatform } from './support.ts';

const MODEL = { name: 'demo-small', version: '2026-03', environment: 'dev', purpose: 'monitoring' };

function telemetryChunk(index: number, count: number) {
  return {
    model: MODEL,
    log_type: 'telemetry',
    window: { from: '2026-03-01T08:00:00.000Z', to: '2026-03-01T08:10:00.000Z' },
    data: { invocations: [{ requestId: 'a' }, { requestId: 'b' }], errors: [{ requestId: 'c' }] },
    chunk: { index, count },
  };
}

describe('POST /ingest', () => {
  it('Given signed telemetry chunks and a calibration delivery, Then each is acknowledged, printed in one line and counted', async () => {
    await withPlatform({}, async (platform) => {
      const first = await json(await platform.ingest(telemetryChunk(0, 2), { idempotencyKey: 'job-a#w1#0' }));
      expect(first).toEqual({ status: 200, body: { received: true } });
      await platform.ingest(telemetryChunk(1, 2), { idempotencyKey: 'job-a#w1#1' });
      const calibration = {
        model: MODEL,
        log_type: 'calibration',
        responses: [{ promptId: 'p1' }, { promptId: 'p2' }],
      };
      expect((await json(await platform.ingest(calibration))).body).toEqual({ received: true });

      expect(platform.printed).toEqual([
        'ingest telemetry model=demo-small window=2026-03-01T08:00:00.000Z..2026-03-01T08:10:00.000Z chunk 0/2 rows: invocations=2 errors=1',
        'ingest telemetry model=demo-small window=2026-03-01T08:00:00.000Z..2026-03-01T08:10:00.000Z chunk 1/2 rows: invocations=2 errors=1',
        'ingest calibration model=demo-small responses=2',
      ]);
      const { ingest } = platform.received();
      expect(ingest).toMatchObject({
        bodies: 3,
        duplicates: 0,
        telemetry: { chunks: 2, rows: { invocations: 4, errors: 2 } },
        calibration: { responses: 2 },
        itemsDropped: 0,
      });
      expect(ingest.items[0]).toEqual({ idempotencyKey: 'job-a#w1#0', body: telemetryChunk(0, 2) });
      const summary = await json(await platform.call('/demo/received'));
      expect(summary.body.ingest).toEqual({
        bodies: 3,
        duplicates: 0,
        telemetry: { chunks: 2, rows: { invocations: 4, errors: 2 } },
        calibration: { responses: 2 },
        connectors: { pages: 0, records: {} },
        idempotencyKeys: ['job-a#w1#0', 'job-a#w1#1'],
      });
    });
  });

  it('Given a repeated Idempotency-Key (a retried chunk), Then 200 {"duplicate": true} and it is not counted again', async () => {
    await withPlatform({}, async (platform) => {
      await platform.ingest(telemetryChunk(0, 1), { idempotencyKey: 'job-a#w1#0' });
      const again = await json(await platform.ingest(telemetryChunk(0, 1), { idempotencyKey: 'job-a#w1#0' }));
      expect(again).toEqual({ status: 200, body: { duplicate: true } });
      expect(platform.received().ingest).toMatchObject({
        bodies: 1,
        duplicates: 1,
        telemetry: { chunks: 1, rows: { invocations: 2, errors: 1 } },
      });
    });
  });

  it.each([
    ['no signature', null, 'no signature header'],
    [
      'a signature made with another secret',
      signPayload('not-the-secret', NOW_SECONDS, '{}'),
      'the signature does not match',
    ],
    [
      'a signature an hour old',
      signPayload(SIGNING_SECRET, NOW_SECONDS - 3600, '{"log_type":"telemetry"}'),
      'the timestamp is 3600 s from now (tolerance 300 s)',
    ],
    [
      'a signature of another body',
      signPayload(SIGNING_SECRET, NOW_SECONDS, '{"log_type":"other"}'),
      'the signature does not match',
    ],
  ])('Given %s, Then 401 with a JSON error, and nothing is counted', async (_case, signature, reason) => {
    await withPlatform({}, async (platform) => {
      const response = await platform.ingest({ log_type: 'telemetry' }, { signature, idempotencyKey: 'k' });
      expect(await json(response)).toEqual({
        status: 401,
        body: { error: `Tickwork-Signature does not verify: ${reason}` },
      });
      expect(platform.received().ingest.bodies).toBe(0);
      // The key of a refused delivery is not taken: the genuine one is still accepted.
      expect(
        (await json(await platform.ingest({ log_type: 'telemetry' }, { idempotencyKey: 'k' }))).body,
      ).toEqual({
        received: true,
      });
    });
  });

  it('Given a signed body that is not JSON, or a bad Idempotency-Key, Then 400 naming it', async () => {
    await withPlatform({}, async (platform) => {
      const raw = '{"log_type":';
      const notJson = await fetch(`${platform.url}/ingest`, {
        method: 'POST',
        headers: { 'Tickwork-Signature': signPayload(SIGNING_SECRET, NOW_SECONDS, raw) },
        body: raw,
      });
      expect(await json(notJson)).toEqual({ status: 400, body: { error: 'the body must be JSON' } });
      const badKey = await platform.ingest({}, { idempotencyKey: 'k'.repeat(257) });
      expect(await json(badKey)).toEqual({
        status: 400,
        body: { error: 'Idempotency-Key must be 1-256 printable characters' },
      });
    });
  });

  it('Given a body over 8 MiB, Then 413', async () => {
    await withPlatform({}, async (platform) => {
      const raw = JSON.stringify({ pad: 'x'.repeat(8 * 1024 * 1024) });
      const response = await fetch(`${platform.url}/ingest`, {
        method: 'POST',
        headers: { 'Tickwork-Signature': signPayload(SIGNING_SECRET, NOW_SECONDS, raw) },
        body: raw,
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'the body must be at most 8388608 bytes' });
    });
  });
});

describe('the bearer token', () => {
  it.each([
    ['GET', '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=t'],
    ['GET', '/calibration/prompts'],
    ['POST', '/calibration/responses'],
    ['GET', '/registry/prompts?model=m&version=1'],
    ['GET', '/demo/received'],
  ])(
    'Given %s %s without a token or with a wrong one, Then 401 with a JSON error, before the request is looked at',
    async (method, path) => {
      await withPlatform({}, async (platform) => {
        const none = await fetch(`${platform.url}${path}`, {
          method,
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        expect(await json(none)).toEqual({
          status: 401,
          body: { error: 'this route needs Authorization: Bearer <token> (the --token-secret secret)' },
        });
        expect(none.headers.get('www-authenticate')).toBe('Bearer');
        const wrong = await platform.call(path, {
          method,
          headers: { authorization: 'Bearer not-the-token' },
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        expect(await json(wrong)).toEqual({ status: 401, body: { error: 'the bearer token is not valid' } });
        expect(platform.printed).toEqual([]);
      });
    },
  );

  it('Given /health, Then it answers without a token', async () => {
    await withPlatform({}, async (platform) => {
      expect(await json(await fetch(`${platform.url}/health`))).toEqual({ status: 200, body: { ok: true } });
    });
  });

  it('Given a request from a web page (Origin), an unknown path or a wrong method, Then 403, 404, 405', async () => {
    await withPlatform({}, async (platform) => {
      const page = await platform.call('/health', { headers: { origin: 'https://evil.example' } });
      expect(page.status).toBe(403);
      expect(page.headers.get('access-control-allow-origin')).toBeNull();
      const missing = await json(await platform.call('/nope'));
      expect(missing.status).toBe(404);
      expect(missing.body.error).toContain('no route /nope; the routes are /telemetry');
      const method = await platform.call('/calibration/prompts', { method: 'DELETE' });
      expect(method.status).toBe(405);
      expect(method.headers.get('allow')).toBe('GET');
    });
  });
});
