/**
 * Run ids are ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32. They sort by
 * creation time as plain strings, which is what the `runs-by-id` index needs
 * for "newest first".
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 26 characters of Crockford base32, the first one at most 7. */
export const RUN_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

const MAX_TIME = 2 ** 48 - 1;

export function newRunId(now: Date, random: (size: number) => Uint8Array = randomBytes): string {
  const time = now.getTime();
  if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) {
    throw new RangeError(`a run id needs a time from 1970 to 10889; got ${String(now)}`);
  }
  let timePart = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    timePart = ALPHABET.charAt(rest % 32) + timePart;
    rest = Math.floor(rest / 32);
  }
  // 80 random bits = 16 characters of 5 bits.
  const bytes = random(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let randomPart = '';
  for (let i = 0; i < 16; i++) {
    randomPart = ALPHABET.charAt(Number(bits & 31n)) + randomPart;
    bits >>= 5n;
  }
  return timePart + randomPart;
}

/** The creation time encoded in a run id. */
export function runIdTime(runId: string): Date {
  if (!RUN_ID_PATTERN.test(runId)) throw new RangeError(`not a run id: "${runId}"`);
  let time = 0;
  for (const char of runId.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(char);
  return new Date(time);
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
