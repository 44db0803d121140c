import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from '../../../shared/kinds/signature.ts';

const secret = 'whsec_test';
const body = '{"job":"daily","prompt":"héllo"}';
const t = 1_767_225_600;
const at = (seconds: number) => new Date(seconds * 1000);

describe('signPayload', () => {
  it('is the hex HMAC-SHA256 of "<t>.<body>" keyed with the secret', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signPayload(secret, t, body)).toBe(`t=${t},v1=${expected}`);
  });
});

describe('verifySignature', () => {
  const header = signPayload(secret, t, body);

  it('accepts a fresh, matching signature, on a string or the raw bytes', () => {
    expect(verifySignature(header, body, secret, { now: at(t + 10) })).toEqual({ valid: true, timestamp: t });
    expect(verifySignature(header, Buffer.from(body), secret, { now: at(t - 10) }).valid).toBe(true);
  });

  it('accepts any matching v1 among several (secret rotation)', () => {
    const rotated = `${header},v1=${'0'.repeat(64)}`;
    expect(
      verifySignature(`t=${t},v1=${'a'.repeat(64)},${header.split(',')[1]}`, body, secret, { now: at(t) })
        .valid,
    ).toBe(true);
    expect(verifySignature(rotated, body, secret, { now: at(t) }).valid).toBe(true);
  });

  it.each([
    ['no header', undefined, body, secret, t, 'no signature header'],
    ['no timestamp', header.replace(/^t=\d+,/, ''), body, secret, t, 'no t='],
    ['no v1', `t=${t}`, body, secret, t, 'no v1='],
    ['another secret', header, body, 'other', t, 'does not match'],
    ['a changed body', header, `${body} `, secret, t, 'does not match'],
    ['a changed timestamp', header.replace(`t=${t}`, `t=${t + 1}`), body, secret, t, 'does not match'],
    ['too old (> 5 min)', header, body, secret, t + 301, 'tolerance 300 s'],
    ['too far ahead', header, body, secret, t - 301, 'tolerance 300 s'],
  ])('rejects %s', (_case, value, raw, key, now, reason) => {
    const check = verifySignature(value, raw, key, { now: at(now) });
    expect(check.valid).toBe(false);
    expect(check.valid === false && check.reason).toContain(reason);
  });

  it('honours a custom tolerance', () => {
    expect(verifySignature(header, body, secret, { now: at(t + 30), toleranceSeconds: 10 }).valid).toBe(
      false,
    );
  });
});
