/** Why an alert did not reach a channel; logged and retried by the reminder pass, never shown to an API client. */

/** The alert webhook answered, but not with a 2xx. */
export class AlertWebhookRejectedError extends Error {
  constructor(
    readonly status: number,
    /** Origin and path only: the query string is the receiver's. */
    readonly target: string,
  ) {
    super(`the alert webhook ${target} answered ${status}, not a 2xx`);
    this.name = 'AlertWebhookRejectedError';
  }
}
