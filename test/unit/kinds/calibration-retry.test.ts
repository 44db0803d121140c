/**
 * The calibration's retry rules and submit chunks, as pure functions: Retry-After in both of its forms,
 * which failures are retried and after how long, no wait that would cross the deadline, chunks bounded
 * by count and bytes with keys stable across attempts.
 */
import { describe, expect, it } from 'vitest';
import {
  chunk,
  idempotencyKey,
  MAX_SUBMIT_RESPONSES,
  responseIdOf,
} from '../../../shared/kinds/calibration/platform.ts';
import {
  MAX_ATTEMPTS,
  NoTimeLeftError,
  retryAfterMs,
  withRetries,
} from '../../../shared/kinds/calibration/retry.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const NOW = new Date('2026-03-02T09:00:00.000Z');

describe('Retry-After', () => {
  it.each([
    ['delay-seconds', '7', 7_000],
    ['zero', '0', 0],
    ['an HTTP date 30 s ahead', 'Mon, 02 Mar 2026 09:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Mon, 02 Mar 2026 08:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['absent', undefined, undefined],
  ])('reads %s', (_case, value, expected) => {
    expect(retryAfterMs(value, NOW)).toBe(expected);
  });
});

describe('withRetries', () => {
  const failing = (reading: { retryable: boolean; retryAfterMs?: number }) => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw Object.assign(new Error(`failure ${calls}`), { reading });
    };
    return { call, calls: () => calls };
  };

  function options(clock: ManualClock, fits: (ms: number) => boolean = () => true) {
    const waits: number[] = [];
    const signal = new AbortController().signal;
    const sleepingClock = {
      now: () => clock.now(),
      sleep: async (ms: number) => {
        waits.push(ms);
        clock.advance(ms);
      },
    };
    return {
      waits,
      options: {
        clock: sleepingClock,
        signal,
        fits,
        callTimeoutMs: 1_000,
        read: (error: unknown) =>
          (error as { reading: { retryable: boolean; retryAfterMs?: number } }).reading,
      },
    };
  }

  it('retries a retryable failure with doubling backoff, then gives up with the last error', async () => {
    const { waits, options: retry } = options(new ManualClock(NOW));
    const subject = failing({ retryable: true });
    await expect(withRetries(subject.call, retry)).rejects.toThrow(`failure ${MAX_ATTEMPTS}`);
    expect(waits).toEqual([500, 1_000, 2_000]);
  });

  it('waits as long as Retry-After asks', async () => {
    const { waits, options: retry } = options(new ManualClock(NOW));
    const subject = failing({ retryable: true, retryAfterMs: 12_000 });
    await expect(withRetries(subject.call, retry)).rejects.toThrow();
    expect(waits).toEqual([12_000, 12_000, 12_000]);
  });

  it('does not retry what is not retryable, nor a Retry-After past 30 s', async () => {
    for (const reading of [{ retryable: false }, { retryable: true, retryAfterMs: 31_000 }]) {
      const { waits, options: retry } = options(new ManualClock(NOW));
      const subject = failing(reading);
      await expect(withRetries(subject.call, retry)).rejects.toThrow('failure 1');
      expect(waits).toEqual([]);
    }
  });

  it('stops with NoTimeLeftError instead of a wait and a call that would not fit', async () => {
    const { waits, options: retry } = options(new ManualClock(NOW), (ms) => ms <= 1_000);
    const subject = failing({ retryable: true });
    await expect(withRetries(subject.call, retry)).rejects.toBeInstanceOf(NoTimeLeftError);
    expect(subject.calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('submit chunks', () => {
  it('holds at most 100 answers and about 1 MiB each, in order', () => {
    const small = Array.from({ length: 250 }, (_, index) => ({ id: index }));
    expect(chunk(small).map((part) => part.length)).toEqual([MAX_SUBMIT_RESPONSES, MAX_SUBMIT_RESPONSES, 50]);
    const large = Array.from({ length: 5 }, (_, index) => ({ id: index, text: 'x'.repeat(400 * 1024) }));
    expect(chunk(large).map((part) => part.map((item) => item.id))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('derives response ids and keys from job, slot, flow and prompts only', () => {
    const id = responseIdOf('job', '2026-03-02T09:00:00.000Z', 'responses', 'p-1');
    expect(responseIdOf('job', '2026-03-02T09:00:00.000Z', 'responses', 'p-1')).toBe(id);
    expect(responseIdOf('job', '2026-03-02T10:00:00.000Z', 'responses', 'p-1')).not.toBe(id);
    expect(responseIdOf('job', '2026-03-02T09:00:00.000Z', 'registry', 'p-1')).not.toBe(id);
    const key = idempotencyKey('job', 'slot', 'registry', ['a', 'b']);
    expect(idempotencyKey('job', 'slot', 'registry', ['a', 'b'])).toBe(key);
    expect(idempotencyKey('job', 'slot', 'registry', ['a', 'b', 'c'])).not.toBe(key);
  });
});
