/**
 * The names of a deployment's two dead-letter queues, written once: the stack creates the queues under
 * these names and `tickwork dead-letters --stage` finds them by them (SQS GetQueueUrl), so neither side
 * can drift from the other.
 */

/** What lands in each queue, as `tickwork dead-letters` shows it. */
export type DeadLetterSource = 'scheduler' | 'lambda';

/** The stage's queues by what lands in them: Scheduler's dead-letter queue, the job functions' on-failure destination. */
export function deadLetterQueueNames(stage: string): Readonly<Record<DeadLetterSource, string>> {
  return { scheduler: `tickwork-${stage}-scheduler-dlq`, lambda: `tickwork-${stage}-job-failures` };
}

/** The stage and source of a queue named by deadLetterQueueNames; undefined for any other name. */
export function parseDeadLetterQueueName(
  name: string,
): { readonly stage: string; readonly source: DeadLetterSource } | undefined {
  const match = /^tickwork-(.+)-(scheduler-dlq|job-failures)$/.exec(name);
  if (match === null) return undefined;
  return { stage: match[1] as string, source: match[2] === 'scheduler-dlq' ? 'scheduler' : 'lambda' };
}
