/**
 * Window arithmetic and chunk layout, pure: windows from the slot (never the clock) that tile across
 * late, retried, skipped and manual runs, `max` and the limit's halving; chunks that never pass
 * maxChunkBytes and keep every row once, in order.
 */
import { describe, expect, it } from 'vitest';
import { ChunkBuilder, chunkBody, RowTooLargeError } from '../../../shared/kinds/telemetry/chunks.ts';
import { idempotencyKey } from '../../../shared/kinds/telemetry/export.ts';
import { schedulePeriodMs } from '../../../shared/kinds/telemetry/period.ts';
import { firstHalf, planWindow } from '../../../shared/kinds/telemetry/window.ts';
import { parseSchedule } from '../../../shared/schedule/index.ts';

const at = (iso: string) => new Date(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (window: { from: Date; to: Date }) => [window.from.toISOString(), window.to.toISOString()];

describe('planWindow', () => {
  it.each<[string, string, string | undefined, number | undefined, [string, string], boolean]>([
    [
      'first run: initial back from slot − lag',
      '2026-03-02T10:00:00Z',
      undefined,
      undefined,
      ['2026-03-02T08:58:00.000Z', '2026-03-02T09:58:00.000Z'],
      false,
    ],
    [
      'next run: from the watermark',
      '2026-03-02T11:00:00Z',
      '2026-03-02T09:58:00.000Z',
      undefined,
      ['2026-03-02T09:58:00.000Z', '2026-03-02T10:58:00.000Z'],
      false,
    ],
    [
      'after a skipped slot: two periods',
      '2026-03-02T12:00:00Z',
      '2026-03-02T09:58:00.000Z',
      undefined,
      ['2026-03-02T09:58:00.000Z', '2026-03-02T11:58:00.000Z'],
      false,
    ],
    [
      'a late slot already covered: empty',
      '2026-03-02T11:00:00Z',
      '2026-03-02T11:58:00.000Z',
      undefined,
      ['2026-03-02T11:58:00.000Z', '2026-03-02T11:58:00.000Z'],
      false,
    ],
    [
      'the same slot again after success: empty',
      '2026-03-02T10:00:00Z',
      '2026-03-02T09:58:00.000Z',
      undefined,
      ['2026-03-02T09:58:00.000Z', '2026-03-02T09:58:00.000Z'],
      false,
    ],
    [
      'far behind, capped at max',
      '2026-03-02T10:00:00Z',
      '2026-03-01T00:00:00.000Z',
      3 * HOUR,
      ['2026-03-01T00:00:00.000Z', '2026-03-01T03:00:00.000Z'],
      true,
    ],
    [
      'exactly max: not truncated',
      '2026-03-02T10:00:00Z',
      '2026-03-02T06:58:00.000Z',
      3 * HOUR,
      ['2026-03-02T06:58:00.000Z', '2026-03-02T09:58:00.000Z'],
      false,
    ],
    [
      'a manual run mid-period: up to its request time − lag',
      '2026-03-02T10:30:15.250Z',
      '2026-03-02T09:58:00.000Z',
      undefined,
      ['2026-03-02T09:58:00.000Z', '2026-03-02T10:28:15.250Z'],
      false,
    ],
  ])('%s', (_case, slot, watermark, maxMs, expected, truncated) => {
    const planned = planWindow({
      slot: at(slot),
      watermark: watermark === undefined ? undefined : at(watermark),
      settleLagMs: 2 * MIN,
      initialMs: HOUR,
      maxMs,
    });
    expect(iso(planned.window)).toEqual(expected);
    expect(planned.truncated).toBe(truncated);
  });

  it('Given the same slot, Then the window is the same whatever time it is (a retry, a late delivery)', () => {
    const input = {
      slot: at('2026-03-02T10:00:00Z'),
      watermark: at('2026-03-02T08:58:00Z'),
      settleLagMs: 2 * MIN,
      initialMs: HOUR,
      maxMs: undefined,
    };
    expect(planWindow(input)).toEqual(planWindow({ ...input }));
  });
});

describe('firstHalf', () => {
  it.each<[string, string, [string, string] | undefined]>([
    [
      '2026-03-02T08:58:00.000Z',
      '2026-03-02T09:58:00.000Z',
      ['2026-03-02T08:58:00.000Z', '2026-03-02T09:28:00.000Z'],
    ],
    [
      '2026-03-02T08:58:00.000Z',
      '2026-03-02T08:58:03.000Z',
      ['2026-03-02T08:58:00.000Z', '2026-03-02T08:58:01.000Z'],
    ],
    [
      '2026-03-02T08:58:00.000Z',
      '2026-03-02T08:58:00.500Z',
      ['2026-03-02T08:58:00.000Z', '2026-03-02T08:58:00.250Z'],
    ],
    ['2026-03-02T08:58:00.000Z', '2026-03-02T08:58:00.001Z', undefined],
  ])('halves [%s, %s)', (from, to, expected) => {
    const half = firstHalf({ from: at(from), to: at(to) });
    expect(half === undefined ? undefined : iso(half)).toEqual(expected);
  });
});

describe('schedulePeriodMs', () => {
  it.each<[string, number | undefined]>([
    ['rate(1 hour)', HOUR],
    ['rate(15 minutes)', 15 * MIN],
    ['cron(0 * * * ? *)', HOUR],
    ['cron(0 9 ? * MON-FRI *)', 24 * HOUR],
    ['at(2026-04-01T00:00:00)', undefined],
  ])('%s', (expression, period) => {
    expect(schedulePeriodMs(parseSchedule(expression), at('2026-03-02T10:00:00Z'))).toBe(period);
  });
});

describe('ChunkBuilder', () => {
  const envelope = {
    model: { name: 'm', version: '1', environment: 'prod', purpose: 'p' },
    window: { from: at('2026-03-02T08:58:00Z'), to: at('2026-03-02T09:58:00Z') },
  };
  const rows = (table: string, count: number, size: number) =>
    Array.from({ length: count }, (_, i) => JSON.stringify({ table, i, pad: 'x'.repeat(size) }));

  it.each([
    [1024, 10],
    [1024, 200],
    [4096, 37],
    [65_536, 1500],
  ])(
    'Given chunks of at most %d bytes and rows of ~%d bytes, Then every body fits and holds every row once, in order',
    (max, size) => {
      const tables = { a: rows('a', 40, size), b: rows('b', 3, size), c: rows('c', 25, size) };
      const builder = new ChunkBuilder(envelope, max);
      const data: string[] = [];
      for (const [table, list] of Object.entries(tables)) {
        for (const [index, row] of list.entries()) {
          const closed = builder.add(table, index, row);
          if (closed !== undefined) data.push(closed);
        }
      }
      const last = builder.finish();
      if (last !== undefined) data.push(last);
      const bodies = data.map((chunk, index) => chunkBody(envelope, index, data.length, chunk));
      const seen: string[] = [];
      for (const [index, body] of bodies.entries()) {
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(max);
        const parsed = JSON.parse(body);
        expect(parsed.chunk).toEqual({ index, count: bodies.length });
        expect(parsed.log_type).toBe('telemetry');
        for (const [table, list] of Object.entries(parsed.data as Record<string, unknown[]>)) {
          for (const row of list) seen.push(`${table}:${JSON.stringify(row)}`);
        }
      }
      expect(seen).toEqual(
        Object.entries(tables).flatMap(([table, list]) => list.map((row) => `${table}:${row}`)),
      );
    },
  );

  it('Given no rows, Then there is no chunk', () => {
    expect(new ChunkBuilder(envelope, 1024).finish()).toBeUndefined();
  });

  it('Given a row that cannot fit any chunk, Then RowTooLargeError names the table, the row and the limit', () => {
    const builder = new ChunkBuilder(envelope, 1024);
    const row = JSON.stringify({ pad: 'x'.repeat(1990) });
    expect(Buffer.byteLength(row)).toBe(2000);
    expect(() => builder.add('latency', 7, row)).toThrow(RowTooLargeError);
    expect(() => builder.add('latency', 7, row)).toThrow(
      'row 7 of table latency is 2000 bytes as JSON, more than fits in a chunk of at most 1024 bytes (sink.maxChunkBytes)',
    );
  });
});

describe('idempotencyKey', () => {
  const window = { from: at('2026-03-02T08:58:00Z'), to: at('2026-03-02T09:58:00Z') };
  it('is the same for the same job, window, tables and chunk, and differs when any of them does', () => {
    const key = idempotencyKey('job', window, ['a', 'b'], 0);
    expect(idempotencyKey('job', { ...window }, ['a', 'b'], 0)).toBe(key);
    expect(
      new Set([
        key,
        idempotencyKey('job2', window, ['a', 'b'], 0),
        idempotencyKey('job', { ...window, to: at('2026-03-02T09:59:00Z') }, ['a', 'b'], 0),
        idempotencyKey('job', window, ['a'], 0),
        idempotencyKey('job', window, ['a', 'b'], 1),
      ]).size,
    ).toBe(5);
  });
});
