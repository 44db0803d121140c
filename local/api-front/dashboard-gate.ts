/**
 * Who may look at the dashboard: one-time login codes and the sessions they open, as a notebook server
 * does. A listener that serves the dashboard (the local API front, `tickwork dashboard`) prints a URL
 * with a code; the code is single-use and short-lived, and exchanging it opens a session held in this
 * process's memory only (a restart ends every session and prints a new code). The session travels in
 * an HttpOnly, SameSite=Strict cookie; see dashboard.ts for the checks that make a cookie safe to accept
 * (same origin, a custom header no other page can send without a CORS preflight nobody answers).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../../shared/clock.ts';

/** A login code is good for this long after it was printed. */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** A session lasts a working day; after that the page asks for a new login link. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** At most this many codes wait to be used: each `tickwork dashboard` adds one; the oldest goes first. */
const MAX_OPEN_CODES = 100;

export interface DashboardGateOptions {
  /** Expiry of codes and sessions. @default systemClock */
  readonly clock?: Clock;
  /** @default LOGIN_CODE_TTL_MS */
  readonly codeTtlMs?: number;
  /** @default SESSION_TTL_MS */
  readonly sessionTtlMs?: number;
}

export interface DashboardSession {
  /** The cookie value. */
  readonly id: string;
  /** The cookie's Max-Age: the session's lifetime. */
  readonly maxAgeSeconds: number;
}

/**
 * Codes and sessions, kept as SHA-256 digests: a lookup by digest compares nothing secret byte by byte,
 * and a heap dump holds no usable credential.
 */
export class DashboardGate {
  readonly #clock: Clock;
  readonly #codeTtlMs: number;
  readonly #sessionTtlMs: number;
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, number>();

  constructor(options: DashboardGateOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#codeTtlMs = options.codeTtlMs ?? LOGIN_CODE_TTL_MS;
    this.#sessionTtlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
  }

  /** A new one-time login code (32 random bytes, base64url). */
  issueCode(): string {
    this.#sweep();
    while (this.#codes.size >= MAX_OPEN_CODES) {
      const oldest = this.#codes.keys().next().value;
      if (oldest === undefined) break;
      this.#codes.delete(oldest);
    }
    const code = randomBytes(32).toString('base64url');
    this.#codes.set(digest(code), this.#clock.now().getTime() + this.#codeTtlMs);
    return code;
  }

  /**
   * Exchanges a code for a session; undefined when the code is unknown, used or expired. The code is
   * spent before anything else, so two requests racing with one code get one session.
   */
  redeem(code: string): DashboardSession | undefined {
    const key = digest(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    const now = this.#clock.now().getTime();
    if (expiresAt === undefined || expiresAt <= now) return undefined;
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(digest(id), now + this.#sessionTtlMs);
    return { id, maxAgeSeconds: Math.floor(this.#sessionTtlMs / 1000) };
  }

  /** Whether `id` is a session this gate opened and that has not expired. */
  hasSession(id: string | undefined): boolean {
    if (id === undefined || id === '') return false;
    const expiresAt = this.#sessions.get(digest(id));
    return expiresAt !== undefined && expiresAt > this.#clock.now().getTime();
  }

  /** Drops what has expired, so neither map grows with codes nobody used. */
  #sweep(): void {
    const now = this.#clock.now().getTime();
    for (const map of [this.#codes, this.#sessions]) {
      for (const [key, expiresAt] of map) if (expiresAt <= now) map.delete(key);
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}
