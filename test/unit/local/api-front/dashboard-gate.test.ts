/** Dashboard login codes and sessions: a code works once and for a while; a session ends on time. */
import { describe, expect, it } from 'vitest';
import {
  DashboardGate,
  LOGIN_CODE_TTL_MS,
  SESSION_TTL_MS,
} from '../../../../local/api-front/dashboard-gate.ts';
import { ManualClock } from '../../../support/manual-clock.ts';

const START = '2026-11-30T08:00:00.000Z';

describe('DashboardGate', () => {
  it('Given a new code, When it is redeemed twice, Then the first opens a session and the second gets none', () => {
    const gate = new DashboardGate({ clock: new ManualClock(START) });
    const code = gate.issueCode();
    const session = gate.redeem(code);
    expect(session?.id).toMatch(/^[\w-]{43}$/);
    expect(session?.maxAgeSeconds).toBe(SESSION_TTL_MS / 1000);
    expect(gate.hasSession(session?.id)).toBe(true);
    expect(gate.redeem(code)).toBeUndefined();
  });

  it.each([
    ['one millisecond before it expires', LOGIN_CODE_TTL_MS - 1, true],
    ['when it expires', LOGIN_CODE_TTL_MS, false],
    ['an hour later', 60 * 60_000, false],
  ])('Given a code, When it is redeemed %s, Then it works: %s', (_, afterMs, works) => {
    const clock = new ManualClock(START);
    const gate = new DashboardGate({ clock });
    const code = gate.issueCode();
    clock.advance(afterMs);
    expect(gate.redeem(code) !== undefined).toBe(works);
  });

  it('Given codes, When a wrong or empty one is redeemed, Then no session opens and the right one still works', () => {
    const gate = new DashboardGate({ clock: new ManualClock(START) });
    const code = gate.issueCode();
    expect(gate.redeem(`${code}x`)).toBeUndefined();
    expect(gate.redeem('')).toBeUndefined();
    expect(gate.redeem(code)).toBeDefined();
  });

  it('Given a session, When its lifetime has passed, Then it is no longer one; an unknown or missing id never is', () => {
    const clock = new ManualClock(START);
    const gate = new DashboardGate({ clock, sessionTtlMs: 60_000 });
    const session = gate.redeem(gate.issueCode());
    clock.advance(59_999);
    expect(gate.hasSession(session?.id)).toBe(true);
    clock.advance(1);
    expect(gate.hasSession(session?.id)).toBe(false);
    expect(gate.hasSession('not-a-session')).toBe(false);
    expect(gate.hasSession(undefined)).toBe(false);
  });

  it('Given two gates (two listeners), When a code of one is redeemed at the other, Then it is refused', () => {
    const clock = new ManualClock(START);
    const one = new DashboardGate({ clock });
    const other = new DashboardGate({ clock });
    const session = one.redeem(one.issueCode());
    expect(other.redeem(one.issueCode())).toBeUndefined();
    expect(other.hasSession(session?.id)).toBe(false);
  });
});
