import type { Clock } from '../../shared/clock.ts';

/** The benches' clock: their time moves only when they say so. */
export class BenchClock implements Clock {
  constructor(private current: number) {}
  now(): Date {
    return new Date(this.current);
  }
  /**
   * Waits in real time without moving the bench's time. Only the prompt delivery's cancel watch
   * sleeps: a sleep that jumped the clock would claim a second had passed during a millisecond POST,
   * and count the read that only a delivery slower than the watch interval makes.
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
