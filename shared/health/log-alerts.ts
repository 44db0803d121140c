/**
 * HealthAlerts that write each change to the log (a warning for trouble: `late`, `missed`, `failing`;
 * info for the rest, back to `ok`), then hand it to the alert channels (`next`: shared/alerts/, the
 * stack's topic and the job's webhook). The log line is the trace of every change, sent or not.
 */
import type { Job } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import type { HealthAlerts, HealthChange } from './model.ts';
import { isTrouble } from './transitions.ts';

export class LoggedHealthAlerts implements HealthAlerts {
  constructor(
    private readonly log: Logger,
    private readonly next?: HealthAlerts,
  ) {}

  async changed(job: Job, change: HealthChange): Promise<void> {
    const fields = { ...change };
    if (isTrouble(change.health)) this.log.warn('job health changed', fields);
    else this.log.info('job health changed', fields);
    await this.next?.changed(job, change);
  }
}
