/**
 * An example Lambda function for a `task` job: it sends invoice reminders. Tickwork invokes it
 * synchronously with a TaskEvent once per run; what it returns is the run's result, and what it throws
 * fails the run with the error's name and message (then Lambda's retries call it again, as attempt 2
 * and 3 of the same run, with the same `runId`).
 *
 * Locally: `npm start -- --function invoice-reminders=examples/task-function/handler.ts`, and a task job
 * whose target is `{"type": "lambda", "functionArn":
 * "arn:aws:lambda:us-east-1:000000000000:function:invoice-reminders"}`. Deployed: bundle it as any
 * Node.js Lambda function and list its ARN in the stack's context `tickwork:taskFunctionArns`.
 */
import type { TaskEvent } from '../../shared/kinds/task/event.ts';

/** A failure of its own: its `name` is the run's `error.type`. */
export class InvoiceNotFound extends Error {
  constructor(invoiceId: string) {
    super(`invoice ${invoiceId} does not exist`);
    this.name = 'InvoiceNotFound';
  }
}

export interface ReminderResult {
  readonly invoiceIds: readonly string[];
  readonly reminded: number;
  readonly channel: string;
  /** The attempt that did the work: a retry of a run that already did it answers the first one's result. */
  readonly attempt: number;
  /** For a chained run: the job whose run started this one. */
  readonly after?: string;
}

/**
 * Work already done, by run id. A real function keeps this where every instance sees it (a DynamoDB
 * item written with a condition on the run id, or Powertools' idempotency utility): a retried run, or
 * a run repeated after a timeout, must not remind twice.
 */
const done = new Map<string, ReminderResult>();

export async function handler(event: TaskEvent): Promise<ReminderResult> {
  const previous = done.get(event.runId);
  if (previous !== undefined) return previous;
  const { invoiceIds, channel = 'email' } = event.payload as { invoiceIds?: unknown; channel?: unknown };
  if (!Array.isArray(invoiceIds) || !invoiceIds.every((id) => typeof id === 'string')) {
    throw new TypeError('payload.invoiceIds must be a list of invoice ids');
  }
  const missing = invoiceIds.find((id) => id.startsWith('missing-'));
  if (missing !== undefined) throw new InvoiceNotFound(missing);
  const result: ReminderResult = {
    invoiceIds,
    reminded: invoiceIds.length,
    channel: String(channel),
    attempt: event.attempt,
    ...(event.upstream === undefined ? {} : { after: event.upstream.job }),
  };
  done.set(event.runId, result);
  return result;
}
