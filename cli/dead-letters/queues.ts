/**
 * Reading a deployment's dead-letter queues with the caller's credentials, without consuming them.
 *
 * SQS has no "peek": a message is read by receiving it, which hides it for a visibility timeout. So the
 * queue is received in batches under a short timeout (PEEK_VISIBILITY_SECONDS) until it answers none or
 * `max` are held, and then every message is made visible again at once (ChangeMessageVisibilityBatch, 0 s).
 * The trade-off, documented in the README: while a listing runs (and for at most the timeout if the CLI is
 * killed meanwhile), the messages are hidden from any other reader, and each read adds one to the message's
 * ApproximateReceiveCount. Nothing consumes these queues automatically (they have no redrive policy), so
 * neither changes what happens to an entry.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type DeadLetterSource,
  deadLetterQueueNames,
  parseDeadLetterQueueName,
} from '../../shared/adapters/sqs/queue-names.ts';
import { UsageError } from '../usage-error.ts';
import type { QueueMessage } from './entries.ts';

/** Long enough for a listing of `max` messages in batches of 10; short enough to matter little if killed. */
export const PEEK_VISIBILITY_SECONDS = 30;
/** SQS's most per ReceiveMessage and per batch request. */
const BATCH = 10;

export interface DeadLetterQueue {
  readonly url: string;
  readonly source: DeadLetterSource | 'unknown';
}

/** A received message and the handle that makes it visible again or deletes it. */
export interface HeldMessage extends QueueMessage {
  readonly ReceiptHandle?: string | undefined;
}

/** No queue of a Tickwork deployment where the credentials look. */
export class DeadLetterQueuesNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadLetterQueuesNotFoundError';
  }
}

function queueName(url: string): string {
  return (
    new URL(url).pathname
      .split('/')
      .filter((part) => part !== '')
      .at(-1) ?? url
  );
}

/** The source of a queue named by the stack's naming; `unknown` for any other queue (`--queue-url`). */
export function queueOf(url: string): DeadLetterQueue {
  return { url, source: parseDeadLetterQueueName(queueName(url))?.source ?? 'unknown' };
}

/**
 * The deployment's queues: the stage's by name (GetQueueUrl), or, without a stage, the only Tickwork
 * deployment's whose queues the credentials can list (ListQueues by the `tickwork-` prefix). Several
 * deployments are a usage error naming their stages.
 */
export async function findQueues(sqs: SQSClient, stage: string | undefined): Promise<DeadLetterQueue[]> {
  if (stage !== undefined) {
    const names = deadLetterQueueNames(stage);
    const queues: DeadLetterQueue[] = [];
    for (const source of ['scheduler', 'lambda'] as const) {
      try {
        const answer = await sqs.send(new GetQueueUrlCommand({ QueueName: names[source] }));
        if (answer.QueueUrl !== undefined) queues.push({ url: answer.QueueUrl, source });
      } catch (error) {
        if ((error as Error).name !== 'QueueDoesNotExist') throw error;
      }
    }
    if (queues.length === 0) {
      throw new DeadLetterQueuesNotFoundError(
        `no queue ${names.scheduler} or ${names.lambda} here: is --stage ${stage} deployed in this account and Region?`,
      );
    }
    return queues;
  }
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'tickwork-', MaxResults: 1000, NextToken: token }),
    );
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  const byStage = new Map<string, DeadLetterQueue[]>();
  for (const url of urls) {
    const named = parseDeadLetterQueueName(queueName(url));
    if (named === undefined) continue;
    byStage.set(named.stage, [...(byStage.get(named.stage) ?? []), { url, source: named.source }]);
  }
  const stages = [...byStage.keys()].sort();
  if (stages.length === 0) {
    throw new DeadLetterQueuesNotFoundError(
      'no Tickwork dead-letter queue (tickwork-<stage>-scheduler-dlq, tickwork-<stage>-job-failures) in this account and Region; name one with --queue-url',
    );
  }
  if (stages.length > 1) {
    throw new UsageError(
      `several deployments have dead-letter queues here; choose one with --stage (${stages.join(', ')})`,
    );
  }
  return byStage.get(stages[0] as string) ?? [];
}

/** Receives up to `max` messages of the queue, each once, and holds them hidden (see the module's note). */
export async function receiveAll(sqs: SQSClient, url: string, max: number): Promise<HeldMessage[]> {
  const held = new Map<string, HeldMessage>();
  while (held.size < max) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(BATCH, max - held.size),
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        // Long polling asks every SQS server, so an empty answer means an empty queue (short polling samples).
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) break;
    // A message seen again (its timeout ran out during a long listing) keeps its newest handle.
    for (const message of messages) held.set(message.MessageId ?? message.ReceiptHandle ?? '', message);
  }
  return [...held.values()];
}

/** Makes held messages visible again, ten a request. */
export async function release(sqs: SQSClient, url: string, messages: readonly HeldMessage[]): Promise<void> {
  const handles = messages.map((message) => message.ReceiptHandle).filter((handle) => handle !== undefined);
  for (let start = 0; start < handles.length; start += BATCH) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: handles.slice(start, start + BATCH).map((handle, index) => ({
          Id: String(start + index),
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

export async function remove(sqs: SQSClient, url: string, message: HeldMessage): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
}
