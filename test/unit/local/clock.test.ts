import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/clock.ts';

describe('ManualClock', () => {
  it('runs due timers in time order, each at its own instant, and not the later ones', async () => {
    // Given three timers set out of order
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const seen: string[] = [];
    clock.setTimer(3000, () => seen.push(`c@${clock.now().toISOString()}`));
    clock.setTimer(1000, () => seen.push(`a@${clock.now().toISOString()}`));
    clock.setTimer(2000, () => seen.push(`b@${clock.now().toISOString()}`));

    // When the clock advances 2.5 s
    await clock.advance(2500);

    // Then the first two ran at 1 s and 2 s; the clock is at 2.5 s; the third is still pending
    expect(seen).toEqual(['a@2026-01-01T00:00:01.000Z', 'b@2026-01-01T00:00:02.000Z']);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:02.500Z');
    expect(clock.nextTimerAt()?.toISOString()).toBe('2026-01-01T00:00:03.000Z');
  });

  it('runs timers that callbacks set during the advance when they fall inside it', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const seen: number[] = [];
    const tick = () => {
      seen.push(clock.now().getTime());
      clock.setTimer(1000, tick);
    };
    clock.setTimer(1000, tick);

    await clock.advance(3500);

    expect(seen.map((ms) => ms - Date.parse('2026-01-01T00:00:00Z'))).toEqual([1000, 2000, 3000]);
  });

  it('does not run a cancelled timer, and resolves sleep when its time comes', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    let ran = false;
    const cancel = clock.setTimer(10, () => {
      ran = true;
    });
    cancel();
    let woke = false;
    const sleeping = clock.sleep(50).then(() => {
      woke = true;
    });

    await clock.advance(49);
    const beforeDue = woke;
    await clock.advance(1);
    await sleeping;

    expect(ran).toBe(false);
    expect(beforeDue).toBe(false);
    expect(woke).toBe(true);
  });

  it('refuses to go back in time', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    await expect(clock.advanceTo(new Date('2025-12-31T23:59:59Z'))).rejects.toThrow(
      /cannot go back in time: now is 2026-01-01T00:00:00.000Z, asked for 2025-12-31T23:59:59.000Z/,
    );
  });
});
