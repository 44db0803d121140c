import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunId, newRunId, RUN_ID_PATTERN, runIdTime } from '../../../shared/runs/run-id.ts';

describe('newRunId', () => {
  it('is a 26-character ULID that encodes its time', () => {
    const now = new Date('2026-03-01T12:00:00.123Z');
    const id = newRunId(now);
    expect(id).toMatch(RUN_ID_PATTERN);
    expect(runIdTime(id)).toEqual(now);
  });

  it('encodes known bytes as the ULID spec does', () => {
    const id = newRunId(new Date(0), (size) => new Uint8Array(size).fill(255));
    expect(id).toBe(`0000000000${'Z'.repeat(16)}`);
  });

  it('sorts as text in time order, whatever the random part', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 47 }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        (time, gap) => newRunId(new Date(time)) < newRunId(new Date(time + gap)),
      ),
    );
  });

  it('differs between two ids of the same millisecond', () => {
    const now = new Date();
    expect(newRunId(now)).not.toBe(newRunId(now));
  });

  it.each([
    ['not-a-ulid'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FA'],
    ['81ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAI'],
  ])('rejects %s as a run id', (text) => {
    expect(isRunId(text)).toBe(false);
  });
});
