import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../local/scheduler/heap.ts';

function drain(heap: MinHeap<number>): number[] {
  const out: number[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  return out;
}

describe('MinHeap', () => {
  it('pops any sequence of pushes in ascending order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 }), (values) => {
        // Given a heap filled in arbitrary order
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const value of values) heap.push(value);

        // Then it holds them all and pops them sorted
        expect(heap.size).toBe(values.length);
        expect(heap.peek()).toBe(values.length === 0 ? undefined : Math.min(...values));
        expect(drain(heap)).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it('keeps heap order after interleaved pops, pushes and a retain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 100 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 100 }),
        (first, second) => {
          // Given a heap that was popped from, pushed to again, and filtered to even numbers
          const heap = new MinHeap<number>((a, b) => a < b);
          for (const value of first) heap.push(value);
          const popped = heap.pop();
          for (const value of second) heap.push(value);
          heap.retain((value) => value % 2 === 0);

          // Then what remains is every even value except the popped one, in order
          const expected = [...first, ...second].sort((a, b) => a - b);
          expected.splice(expected.indexOf(popped as number), 1);
          expect(drain(heap)).toEqual(expected.filter((value) => value % 2 === 0));
        },
      ),
    );
  });

  it('handles a large retain without a call-stack limit', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    for (let value = 300_000; value > 0; value--) heap.push(value);
    heap.retain((value) => value > 100_000);
    expect(heap.size).toBe(200_000);
    expect(heap.pop()).toBe(100_001);
  });
});
