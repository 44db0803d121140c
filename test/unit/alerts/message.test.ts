import { describe, expect, it } from 'vitest';
import {
  alertBody,
  alertHeaders,
  alertIdempotencyKey,
  MAX_SUBJECT_LENGTH,
  topicMessage,
} from '../../../shared/alerts/message.ts';
import type { HealthChange } from '../../../shared/health/model.ts';
import { verifySignature } from '../../../shared/kinds/signature.ts';

const change: HealthChange = {
  reason: 'slot 2026-11-29T10:00:00.000Z has no run 60 s after it',
  at: '2026-11-29T10:01:00.000Z',
  previous: 'ok',
  health: 'late',
  job: 'nightly-digest',
};

describe('the alert message', () => {
  it('Given a change, When its body is built, Then it is exactly {job, health, previous, at, reason} in that order', () => {
    expect(alertBody(change)).toBe(
      '{"job":"nightly-digest","health":"late","previous":"ok","at":"2026-11-29T10:01:00.000Z","reason":"slot 2026-11-29T10:00:00.000Z has no run 60 s after it"}',
    );
  });

  it.each([
    [0, 'nightly-digest:late:2026-11-29T10:01:00.000Z'],
    [1, 'nightly-digest:late:2026-11-29T10:01:00.000Z:reminder-1'],
    [12, 'nightly-digest:late:2026-11-29T10:01:00.000Z:reminder-12'],
  ])('Given reminder %i, When the idempotency key is built, Then it is %s (no run id)', (reminder, key) => {
    expect(alertIdempotencyKey(change, reminder)).toBe(key);
  });

  it('Given a secret, When the headers are built, Then the signature verifies over the body with the same scheme as deliveries', () => {
    const body = alertBody(change);
    const now = new Date('2026-11-29T10:01:02.000Z');
    const headers = alertHeaders(change, body, 'the-secret', now);
    expect(Object.keys(headers).sort()).toEqual(['Content-Type', 'Idempotency-Key', 'Tickwork-Signature']);
    expect(verifySignature(headers['Tickwork-Signature'], body, 'the-secret', { now })).toEqual({
      valid: true,
      timestamp: now.getTime() / 1000,
    });
    expect(verifySignature(headers['Tickwork-Signature'], body, 'another', { now }).valid).toBe(false);
    expect(alertHeaders(change, body, 'the-secret', now, 2)['Tickwork-Alert-Reminder']).toBe('2');
  });

  it.each([
    [0, 'Tickwork: nightly-digest is late (was ok)', { job: 'nightly-digest', health: 'late' }],
    [
      3,
      'Tickwork: nightly-digest is still (reminder 3) late (was ok)',
      { job: 'nightly-digest', health: 'late', reminder: '3' },
    ],
  ])(
    'Given reminder %i, When the topic message is built, Then its subject is %s',
    (reminder, subject, attributes) => {
      expect(topicMessage(change, reminder)).toEqual({ subject, body: alertBody(change), attributes });
    },
  );

  it('Given the longest job name and a reminder, When the topic message is built, Then the subject fits SNS', () => {
    const long = { ...change, job: 'j'.repeat(64), health: 'failing' as const, previous: 'missed' as const };
    const subject = topicMessage(long, 10_000).subject;
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject.startsWith(`Tickwork: ${'j'.repeat(64)}`)).toBe(true);
  });
});
