/**
 * The alerts use case: what the health tracker's `HealthAlerts.changed` does, and the reminder pass the
 * sweeper runs every minute (`sendDueAlerts`).
 *
 * Exactly one message per job per change: `changed` first records the change in the job's alert record
 * with a conditional write keyed by the change's `at` (AlertStore.claimChange); only the writer that
 * recorded it sends, so a repeated or concurrent `changed` for the same change sends nothing. The record
 * remembers what is still owed (channels whose send failed, the next reminder) and carries `nextAlertAt`
 * exactly then, which puts it in a sparse index: the reminder pass reads only the records that are due,
 * so its cost grows with the jobs owed an alert, not with all jobs.
 */
import type { Clock } from '../clock.ts';
import type { HealthAlerts, HealthChange } from '../health/model.ts';
import type { Job } from '../jobs/model.ts';
import type { JobStore, SecretSource } from '../jobs/ports.ts';
import type { OutboundRequests } from '../kinds/capabilities.ts';
import type { Logger } from '../logger.ts';
import { AlertWebhookRejectedError } from './errors.ts';
import { createLimiter } from './limiter.ts';
import { alertBody, alertHeaders, topicMessage } from './message.ts';
import type {
  AlertChannel,
  AlertClaim,
  AlertRecord,
  AlertSettlement,
  AlertStore,
  AlertTopic,
} from './ports.ts';
import { ALERT_SEND_TIMEOUT_MS, CLAIM_MS, MAX_SEND_ATTEMPTS, nextReminderAt, retryAt } from './timing.ts';

/** Sends at once, per function instance: enough to drain a burst quickly, few enough not to be one. */
export const DEFAULT_ALERT_CONCURRENCY = 8;
/** Due records one pass reads (one index query page); the rest are due again at the next pass. */
export const MAX_DUE_PER_PASS = 200;

export interface AlertsDeps {
  readonly store: AlertStore;
  /** To read the job's `alerts` when a reminder or a retry is due. */
  readonly jobs: Pick<JobStore, 'get'>;
  /** The stack's topic; absent locally (there is no SNS on one machine): the webhook only. */
  readonly topic?: AlertTopic;
  /** The webhook, through the outbound guard. */
  readonly http: Pick<OutboundRequests, 'post'>;
  readonly secrets: Pick<SecretSource, 'get'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** @default DEFAULT_ALERT_CONCURRENCY */
  readonly concurrency?: number;
}

/** What a reminder pass did, for the sweeper's log line. */
export interface DueAlertsSummary {
  /** Records found due. */
  readonly due: number;
  /** Of those, the ones this pass sent (others were taken by another pass, or their job is gone). */
  readonly sent: number;
  /** Sends that failed on some channel (retried later). */
  readonly failed: number;
}

/** The owed message of a claimed record: which one, to which channels, after how many failures. */
interface Owed {
  readonly claim: AlertClaim;
  readonly change: HealthChange;
  readonly reminder: number;
  readonly channels: readonly AlertChannel[];
  readonly failures: number;
  readonly lastSentAt?: string;
}

export class Alerts implements HealthAlerts {
  readonly #limit: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(private readonly deps: AlertsDeps) {
    this.#limit = createLimiter(deps.concurrency ?? DEFAULT_ALERT_CONCURRENCY);
  }

  async changed(job: Job, change: HealthChange): Promise<void> {
    const channels = this.channelsOf(job);
    // Nowhere to send it (locally, a job without `alerts`): nothing to record either.
    if (channels.length === 0) return;
    const until = new Date(this.deps.clock.now().getTime() + CLAIM_MS);
    const claim = await this.deps.store.claimChange(change, channels, until);
    if (claim === undefined) {
      this.deps.log.debug('alert already recorded', { job: job.name, health: change.health, at: change.at });
      return;
    }
    await this.#limit(() => this.deliver(job, { claim, change, reminder: 0, channels, failures: 0 }));
  }

  /** Sends what is due: failed sends again, and reminders of jobs still unhealthy. */
  async sendDue(): Promise<DueAlertsSummary> {
    const now = this.deps.clock.now();
    const records = await this.deps.store.due(now, MAX_DUE_PER_PASS);
    const outcomes = await Promise.all(
      records.map((record) => this.#limit(() => this.sendDueRecord(record))),
    );
    return {
      due: records.length,
      sent: outcomes.filter((outcome) => outcome !== 'skipped').length,
      failed: outcomes.filter((outcome) => outcome === 'failed').length,
    };
  }

  private async sendDueRecord(record: AlertRecord): Promise<'sent' | 'failed' | 'skipped'> {
    const until = new Date(this.deps.clock.now().getTime() + CLAIM_MS);
    const claim = await this.deps.store.claimDue(record, until);
    if (claim === undefined) return 'skipped';
    const job = await this.deps.jobs.get(record.job);
    // Gone, or deleted and created again since the change (the change was the old job's).
    if (job === undefined || job.createdAt > record.change.at) {
      await this.deps.store.forget(claim);
      return 'skipped';
    }
    const available = this.channelsOf(job);
    const retrying = record.pending.length > 0;
    const owed: Owed = {
      claim,
      change: record.change,
      reminder: retrying ? record.reminder : record.reminder + 1,
      // A retry goes to the channels still owed (and still there: `alerts` may have been removed since).
      channels: retrying ? record.pending.filter((channel) => available.includes(channel)) : available,
      failures: retrying ? record.failures : 0,
      lastSentAt: record.lastSentAt,
    };
    // A paused job is not reminded of: pausing is the operator's answer to the alert (a resume that finds
    // the job still unhealthy alerts anew through its next change).
    const reminderDue =
      retrying ||
      (job.enabled &&
        nextReminderAt(
          record.change,
          job.alerts?.reAlertMinutes,
          new Date(record.lastSentAt ?? record.change.at),
        ) !== undefined);
    if (!reminderDue || owed.channels.length === 0) {
      // Nothing owed any more (the job's `alerts` or its reAlertMinutes were removed): out of the index.
      await this.deps.store.settle(claim, {
        reminder: record.reminder,
        pending: [],
        failures: 0,
        lastSentAt: record.lastSentAt,
      });
      return 'skipped';
    }
    return (await this.deliver(job, owed)) ? 'sent' : 'failed';
  }

  /** Sends the owed message to its channels and settles the record; true when every channel took it. */
  private async deliver(job: Job, owed: Owed): Promise<boolean> {
    const log = this.deps.log.child({ job: job.name, health: owed.change.health, at: owed.change.at });
    const sends = owed.channels.map(async (channel): Promise<AlertChannel | undefined> => {
      try {
        await this.send(channel, job, owed);
        return undefined;
      } catch (error) {
        // The error's name and message only: neither the secret nor the body is logged.
        log.warn('alert not sent', {
          channel,
          reminder: owed.reminder,
          attempt: owed.failures + 1,
          error: error instanceof Error ? error.name : 'UnknownError',
          detail: error instanceof Error ? error.message : undefined,
        });
        return channel;
      }
    });
    const failed = (await Promise.all(sends)).filter((channel) => channel !== undefined);
    const now = this.deps.clock.now();
    const reAlertMinutes = job.alerts?.reAlertMinutes;
    let settlement: AlertSettlement;
    if (failed.length === 0) {
      log.info('alert sent', { channels: owed.channels.join(','), reminder: owed.reminder });
      settlement = {
        reminder: owed.reminder,
        pending: [],
        failures: 0,
        lastSentAt: now.toISOString(),
        nextAlertAt: nextReminderAt(owed.change, reAlertMinutes, now)?.toISOString(),
      };
    } else if (owed.failures + 1 >= MAX_SEND_ATTEMPTS) {
      log.error('alert given up', { channels: failed.join(','), attempts: owed.failures + 1 });
      settlement = {
        reminder: owed.reminder,
        pending: [],
        failures: 0,
        lastSentAt: owed.lastSentAt,
        nextAlertAt: nextReminderAt(owed.change, reAlertMinutes, now)?.toISOString(),
      };
    } else {
      settlement = {
        reminder: owed.reminder,
        pending: failed,
        failures: owed.failures + 1,
        lastSentAt: owed.lastSentAt,
        nextAlertAt: retryAt(now, owed.failures + 1).toISOString(),
      };
    }
    if (!(await this.deps.store.settle(owed.claim, settlement))) {
      log.debug('alert record moved on before it was settled');
    }
    return failed.length === 0;
  }

  private async send(channel: AlertChannel, job: Job, owed: Owed): Promise<void> {
    if (channel === 'topic') {
      // channelsOf lists `topic` only when there is one.
      await this.deps.topic?.publish(topicMessage(owed.change, owed.reminder));
      return;
    }
    const alerts = job.alerts;
    if (alerts === undefined) return;
    const secret = await this.deps.secrets.get(alerts.signingSecret);
    const body = alertBody(owed.change);
    const headers = alertHeaders(owed.change, body, secret, this.deps.clock.now(), owed.reminder);
    const answer = await this.deps.http.post(alerts.url, body, headers, { timeoutMs: ALERT_SEND_TIMEOUT_MS });
    if (answer.status < 200 || answer.status > 299) {
      const url = new URL(alerts.url);
      throw new AlertWebhookRejectedError(answer.status, `${url.origin}${url.pathname}`);
    }
  }

  private channelsOf(job: Job): AlertChannel[] {
    return [
      ...(this.deps.topic === undefined ? [] : (['topic'] as const)),
      ...(job.alerts === undefined ? [] : (['webhook'] as const)),
    ];
  }
}

/**
 * The reminder pass: sends failed alerts again and reminds of jobs still unhealthy (`reAlertMinutes`).
 * The sweeper calls it every minute; two passes at once send each message once (each record is claimed).
 */
export function sendDueAlerts(deps: AlertsDeps): Promise<DueAlertsSummary> {
  return new Alerts(deps).sendDue();
}
