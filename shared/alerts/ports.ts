/**
 * The alerts' ports, owned by the domain: the stack's topic (SNS in AWS; none locally) and the store of
 * each job's alert record (an item of the jobs table). The webhook goes through the outbound guard
 * (OutboundRequests), the signing secret through the SecretSource, like every signed delivery.
 */
import type { HealthChange } from '../health/model.ts';

/** A message for the topic: the change as JSON, a short subject, and attributes subscribers filter on. */
export interface TopicMessage {
  readonly subject: string;
  readonly body: string;
  /** String attributes, e.g. `job` and `health` (SNS subscription filter policies match on them). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The stack's alerts topic. Throws when the message was not accepted. */
export interface AlertTopic {
  publish(message: TopicMessage): Promise<void>;
}

/** Where one alert goes: the stack's topic, or the job's `alerts.url`. */
export type AlertChannel = 'topic' | 'webhook';

/**
 * A job's alert record: its latest health change and what is still owed for it. One per job; a later
 * change replaces it. `nextAlertAt` is set exactly while something is owed (a send to retry, a reminder
 * to come, or a claimed send that may not finish), which is what puts the record in the due index.
 */
export interface AlertRecord {
  readonly job: string;
  readonly change: HealthChange;
  /** The message owed: 0 for the change itself, n for its n-th reminder. */
  readonly reminder: number;
  /** Channels the owed message has not reached yet (empty: it reached every channel). */
  readonly pending: readonly AlertChannel[];
  /** Failed attempts of the owed message so far. */
  readonly failures: number;
  /** When the change, or its last reminder, was sent. */
  readonly lastSentAt?: string;
  /** ISO instant the reminder pass looks at the record again; absent: nothing is owed. */
  readonly nextAlertAt?: string;
}

/** What a send settles: the record's new state for the same change. */
export interface AlertSettlement {
  readonly reminder: number;
  readonly pending: readonly AlertChannel[];
  readonly failures: number;
  readonly lastSentAt?: string;
  readonly nextAlertAt?: string;
}

/** A claim on a record: only its holder may settle it. */
export interface AlertClaim {
  readonly job: string;
  readonly changeAt: string;
  readonly token: string;
}

export interface AlertStore {
  /**
   * Records `change` as the job's current one, owed on `channels`, claimed until `until` (if the claimer
   * stops before settling, the reminder pass sends it then). Undefined when this change, or a later one,
   * is recorded already: someone else sends it.
   */
  claimChange(
    change: HealthChange,
    channels: readonly AlertChannel[],
    until: Date,
  ): Promise<AlertClaim | undefined>;
  /** Records due at `now` (nextAlertAt ≤ now), earliest first, at most `limit`: an index query. */
  due(now: Date, limit: number): Promise<AlertRecord[]>;
  /** Claims a due record as read, until `until`; undefined when another pass took it or a change replaced it. */
  claimDue(record: AlertRecord, until: Date): Promise<AlertClaim | undefined>;
  /** Writes the outcome of a claimed send; false when the claim was lost (a later change, another pass). */
  settle(claim: AlertClaim, settlement: AlertSettlement): Promise<boolean>;
  /** Removes the record of a job that no longer exists (if it still holds the claimed change). */
  forget(claim: AlertClaim): Promise<void>;
  /** The job's record, if any (for tests and operators). */
  get(job: string): Promise<AlertRecord | undefined>;
}
