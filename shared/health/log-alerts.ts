/**
 * HealthAlerts that write each change to the log: a warning for trouble (`late`, `missed`, `failing`),
 * info for the rest (back to `ok`). What every deployment has until its alert channels (SNS, webhooks)
 * are composed in, and a trace of every change alongside them.
 */
import type { Job } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import type { HealthAlerts, HealthChange } from './model.ts';
import { isTrouble } from './transitions.ts';

export class LoggedHealthAlerts implements HealthAlerts {
  constructor(private readonly log: Logger) {}

  async changed(_job: Job, change: HealthChange): Promise<void> {
    const fields = { ...change };
    if (isTrouble(change.health)) this.log.warn('job health changed', fields);
    else this.log.info('job health changed', fields);
  }
}
