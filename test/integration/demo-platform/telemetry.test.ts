/**
 * GET /telemetry: rows generated from the window alone, so the same query answers the same bytes and
 * windows that tile the time line tile the rows (what a telemetry job's gap-free export is checked by).
 */
import { describe, expect, it } from 'vitest';
import { json, withPlatform } from './support.ts';

interface Row {
  timestamp: string;
  table: string;
  requestId: string;
  model: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  status: string;
}

const query = (from: string, to: string, table = 'invocations', limit = 100_000) =>
  `/telemetry?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&table=${table}&limit=${limit}`;

describe('GET /telemetry', () => {
  it('Given a window of 3 minutes at 10 rows per minute, When read, Then 30 rows inside [from, to), in timestamp order, each fully described', async () => {
    await withPlatform({}, async (platform) => {
      const { status, body } = await json(
        await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T08:03:00Z')),
      );
      expect(status).toBe(200);
      const rows = body.rows as Row[];
      expect(rows).toHaveLength(30);
      expect(rows[0]?.timestamp).toBe('2026-03-01T08:00:00.000Z');
      expect(rows[1]?.timestamp).toBe('2026-03-01T08:00:06.000Z');
      expect(rows.at(-1)?.timestamp).toBe('2026-03-01T08:02:54.000Z');
      const times = rows.map((row) => Date.parse(row.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const row of rows) {
        expect(Object.keys(row)).toEqual([
          'timestamp',
          'table',
          'requestId',
          'model',
          'latencyMs',
          'inputTokens',
          'outputTokens',
          'status',
        ]);
        expect(row.table).toBe('invocations');
        expect(row.requestId).toMatch(/^req-[0-9a-f]{24}$/);
        expect(['ok', 'error', 'throttled']).toContain(row.status);
        expect(Number.isInteger(row.latencyMs) && row.latencyMs > 0).toBe(true);
      }
      expect(new Set(rows.map((row) => row.requestId)).size).toBe(30);
      expect(platform.printed).toContain(
        'telemetry table=invocations window=2026-03-01T08:00:00.000Z..2026-03-01T08:03:00.000Z rows=30',
      );
    });
  });

  it('Given the same query twice (and on another server), Then the answers are byte-identical; another table answers other rows', async () => {
    const texts: string[] = [];
    for (const _ of [1, 2]) {
      await withPlatform({}, async (platform) => {
        texts.push(await (await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z'))).text());
        texts.push(await (await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z'))).text());
      });
    }
    expect(new Set(texts).size).toBe(1);
    await withPlatform({}, async (platform) => {
      const other = await (
        await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z', 'errors'))
      ).text();
      expect(other).not.toBe(texts[0]);
    });
  });

  it.each([
    [
      'whole minutes',
      ['2026-03-01T08:00:00Z', '2026-03-01T08:05:00Z', '2026-03-01T08:12:00Z', '2026-03-01T08:20:00Z'],
    ],
    [
      'windows cut inside minutes and on row instants',
      [
        '2026-03-01T08:00:00Z',
        '2026-03-01T08:00:06Z',
        '2026-03-01T08:03:17.5Z',
        '2026-03-01T08:11:59.999Z',
        '2026-03-01T08:20:00Z',
      ],
    ],
    [
      'offsets other than Z',
      ['2026-03-01T09:00:00+01:00', '2026-03-01T08:07:30Z', '2026-03-01T03:20:00-05:00'],
    ],
  ])(
    "Given windows that tile [08:00, 08:20) (%s), Then their rows are disjoint and together are exactly the whole window's",
    async (_case, bounds) => {
      await withPlatform({ rowsPerMinute: 7 }, async (platform) => {
        const whole = (await (
          await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T08:20:00Z'))
        ).json()) as {
          rows: Row[];
        };
        const pieces: Row[] = [];
        for (let index = 0; index + 1 < bounds.length; index++) {
          const from = bounds[index] as string;
          const to = bounds[index + 1] as string;
          const { rows } = (await (await platform.call(query(from, to))).json()) as { rows: Row[] };
          for (const row of rows) {
            expect(Date.parse(row.timestamp)).toBeGreaterThanOrEqual(Date.parse(from));
            expect(Date.parse(row.timestamp)).toBeLessThan(Date.parse(to));
          }
          pieces.push(...rows);
        }
        expect(whole.rows).toHaveLength(140);
        expect(pieces).toEqual(whole.rows);
      });
    },
  );

  it("Given a limit below the window's rows, Then the first `limit` rows in timestamp order", async () => {
    await withPlatform({}, async (platform) => {
      const all = (await (
        await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T08:10:00Z'))
      ).json()) as {
        rows: Row[];
      };
      const some = (await (
        await platform.call(query('2026-03-01T08:00:00Z', '2026-03-01T08:10:00Z', 'invocations', 7))
      ).json()) as {
        rows: Row[];
      };
      expect(some.rows).toEqual(all.rows.slice(0, 7));
    });
  });

  it('Given --rows-per-minute 600 and a limit of 100000, Then a window of 3 hours answers 100000 rows', async () => {
    await withPlatform({ rowsPerMinute: 600 }, async (platform) => {
      const { rows } = (await (
        await platform.call(query('2026-03-01T00:00:00Z', '2026-03-01T03:00:00Z'))
      ).json()) as {
        rows: Row[];
      };
      expect(rows).toHaveLength(100_000);
      expect(rows.at(-1)?.timestamp).toBe('2026-03-01T02:46:39.900Z');
    });
  });

  it.each([
    ['no from', '/telemetry?to=2026-03-01T08:00:00Z&table=t', 'from is required'],
    [
      'a from without a zone',
      '/telemetry?from=2026-03-01T08:00:00&to=2026-03-01T09:00:00Z&table=t',
      'from must be an ISO-8601 instant with a zone',
    ],
    [
      'a date that does not exist',
      '/telemetry?from=2026-02-30T08:00:00Z&to=2026-03-01T09:00:00Z&table=t',
      'from must be an ISO-8601 instant',
    ],
    [
      'a bad to',
      '/telemetry?from=2026-03-01T08:00:00Z&to=tomorrow&table=t',
      'to must be an ISO-8601 instant',
    ],
    [
      'to equal to from',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T08:00:00Z&table=t',
      'to must be after from',
    ],
    [
      'to before from',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T07:00:00Z&table=t',
      'to must be after from',
    ],
    [
      'from given twice',
      '/telemetry?from=2026-03-01T08:00:00Z&from=2026-03-01T07:00:00Z&to=2026-03-01T09:00:00Z&table=t',
      'from must be given once',
    ],
    ['no table', '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z', 'table is required'],
    [
      'a table with a space',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=a%20b',
      'table must be 1-64 of',
    ],
    [
      'a table of 65 characters',
      `/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=${'t'.repeat(65)}`,
      'table must be 1-64 of',
    ],
    [
      'limit 0',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=t&limit=0',
      'limit must be a whole number from 1 to 100000',
    ],
    [
      'limit 100001',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=t&limit=100001',
      'limit must be a whole number',
    ],
    [
      'limit 1.5',
      '/telemetry?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&table=t&limit=1.5',
      'limit must be a whole number',
    ],
  ])('Given %s, Then 400 naming the parameter and the rule', async (_case, path, message) => {
    await withPlatform({}, async (platform) => {
      const { status, body } = await json(await platform.call(path));
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.stringContaining(message) });
    });
  });
});
