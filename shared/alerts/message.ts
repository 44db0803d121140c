/**
 * What an alert says, on each channel: the body is exactly the HealthChange (`{job, health, previous,
 * at, reason}`); the webhook carries the same headers as every signed delivery (Content-Type,
 * Idempotency-Key, Tickwork-Signature); the topic message a short subject and the attributes `job` and
 * `health`. Pure, no I/O.
 */
import type { HealthChange } from '../health/model.ts';
import { SIGNATURE_HEADER, signPayload } from '../kinds/signature.ts';
import type { TopicMessage } from './ports.ts';

/** On reminders only: which reminder of the change this is (1, 2, ...). */
export const REMINDER_HEADER = 'Tickwork-Alert-Reminder';
/** SNS refuses a subject longer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 100;

/** The body, in a fixed field order (receivers may log or hash it). */
export function alertBody(change: HealthChange): string {
  return JSON.stringify({
    job: change.job,
    health: change.health,
    previous: change.previous,
    at: change.at,
    reason: change.reason,
  });
}

/**
 * `<job>:<health>:<at>`: the same for every attempt of one change (a receiver drops a repeat) and free of
 * run ids (a change is not a run). A reminder is a message of its own, so a receiver that drops repeats
 * still gets it: `<job>:<health>:<at>:reminder-<n>`.
 */
export function alertIdempotencyKey(change: HealthChange, reminder = 0): string {
  const key = `${change.job}:${change.health}:${change.at}`;
  return reminder === 0 ? key : `${key}:reminder-${reminder}`;
}

/** The headers of the webhook POST of `body`, signed with `secret` at `now`. */
export function alertHeaders(
  change: HealthChange,
  body: string,
  secret: string,
  now: Date,
  reminder = 0,
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'Idempotency-Key': alertIdempotencyKey(change, reminder),
    [SIGNATURE_HEADER]: signPayload(secret, Math.floor(now.getTime() / 1000), body),
    ...(reminder === 0 ? {} : { [REMINDER_HEADER]: String(reminder) }),
  };
}

/** The topic's message: e.g. subject `Tickwork: nightly-digest is missed (was ok)`. */
export function topicMessage(change: HealthChange, reminder = 0): TopicMessage {
  const still = reminder === 0 ? '' : ` still (reminder ${reminder})`;
  const subject = `Tickwork: ${change.job} is${still} ${change.health} (was ${change.previous})`;
  return {
    // A job name is at most 64 characters, so only a long name with a reminder comes near the limit.
    subject: subject.length > MAX_SUBJECT_LENGTH ? `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…` : subject,
    body: alertBody(change),
    attributes: {
      job: change.job,
      health: change.health,
      ...(reminder === 0 ? {} : { reminder: String(reminder) }),
    },
  };
}
