/**
 * `tickwork dead-letters` against a deployment: its queues read with the caller's AWS credentials (SQS
 * directly), each message explained (entries.ts), and `--redrive <id|all>` delivering an entry again the
 * way it was delivered the first time: an asynchronous Invoke of the job's function with the event as it
 * was (Scheduler's target input, or the invocation record's requestPayload). The message is deleted only
 * after Lambda accepted the event (202). A redelivered slot is safe: the run lifecycle claims the slot, so a
 * slot that already succeeded is recorded as a duplicate, and a failed one runs as its next attempt.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EXIT } from '../exit-codes.ts';
import { instant, oneLine } from '../output.ts';
import { type OutputFormat, stdoutTerminal } from '../terminal.ts';
import { type DeadLetterEntry, explain, newestEntries } from './entries.ts';
import {
  type DeadLetterQueue,
  DeadLetterQueuesNotFoundError,
  findQueues,
  type HeldMessage,
  queueOf,
  receiveAll,
  release,
  remove,
} from './queues.ts';
import { entriesView } from './view.ts';

/** At most this many messages are held per queue in one listing (SQS queues can hold far more). */
export const MAX_READ_PER_QUEUE = 1000;

export interface AwsDeadLettersInvocation {
  readonly region: string;
  /** The deployment's stage, whose queues are found by name; else the one deployment ListQueues shows. */
  readonly stage?: string;
  /** Queues named directly; they replace the lookup by stage. */
  readonly queueUrls: readonly string[];
  readonly limit?: number;
  /** A message id, or `all`. */
  readonly redrive?: string;
  readonly output: OutputFormat;
}

interface Held {
  readonly queue: DeadLetterQueue;
  readonly client: SQSClient;
  readonly message: HeldMessage;
  readonly entry: DeadLetterEntry;
}

/** An AWS answer (the SDK's service exceptions carry `$metadata`) or no credentials to sign with. */
function isAwsFailure(error: unknown): boolean {
  return error instanceof Error && ('$metadata' in error || error.name === 'CredentialsProviderError');
}

function say(line: string): void {
  process.stderr.write(`tickwork dead-letters: ${oneLine(line)}\n`);
}

/** Runs the invocation; SDK failures (credentials, access, a missing queue) are reported, exit 1. */
export async function executeAws(invocation: AwsDeadLettersInvocation): Promise<number> {
  // One client per queue host: a queue URL names its endpoint, so it is sent there (no SDK warning).
  const clients = new Map<string, SQSClient>();
  const lookup = new SQSClient({ region: invocation.region });
  const clientFor = (url: string) => {
    const origin = new URL(url).origin;
    const client = clients.get(origin) ?? new SQSClient({ region: invocation.region, endpoint: origin });
    clients.set(origin, client);
    return client;
  };
  const held: Held[] = [];
  const removed = new Set<Held>();
  try {
    const queues =
      invocation.queueUrls.length > 0
        ? invocation.queueUrls.map(queueOf)
        : await findQueues(lookup, invocation.stage);
    for (const queue of queues) {
      const client = clientFor(queue.url);
      for (const message of await receiveAll(client, queue.url, MAX_READ_PER_QUEUE)) {
        held.push({ queue, client, message, entry: explain(queue.url, message) });
      }
    }
    if (invocation.redrive !== undefined) return await redrive(invocation, held, removed, queues);
    show(invocation, held, queues);
    return EXIT.success;
  } catch (error) {
    if (error instanceof DeadLetterQueuesNotFoundError || isAwsFailure(error)) {
      say(`${(error as Error).name}: ${(error as Error).message}`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    await releaseHeld(held.filter((each) => !removed.has(each)));
    lookup.destroy();
    for (const client of clients.values()) client.destroy();
  }
}

function show(
  invocation: AwsDeadLettersInvocation,
  held: readonly Held[],
  queues: readonly DeadLetterQueue[],
): void {
  const entries = newestEntries(
    held.map((each) => each.entry),
    invocation.limit,
  );
  if (entries.length === 0 && (invocation.output === 'table' || invocation.output === 'wide')) {
    process.stdout.write(`no dead letters in ${queues.map((queue) => queue.url).join(', ')}\n`);
    return;
  }
  process.stdout.write(entriesView(entries, invocation.output, stdoutTerminal()));
  if (entries.length < held.length && invocation.output !== 'json' && invocation.output !== 'jsonl') {
    process.stdout.write(`showing the newest ${entries.length} of ${held.length}\n`);
  }
}

/** Makes every message still held visible again; a failure here is reported, not thrown over the answer. */
async function releaseHeld(held: readonly Held[]): Promise<void> {
  const byQueue = new Map<string, Held[]>();
  for (const each of held) byQueue.set(each.queue.url, [...(byQueue.get(each.queue.url) ?? []), each]);
  for (const [url, group] of byQueue) {
    try {
      await release(
        group[0]?.client as SQSClient,
        url,
        group.map((each) => each.message),
      );
    } catch (error) {
      say(
        `could not make ${group.length} message(s) of ${url} visible again (they reappear by themselves within 30 s): ${(error as Error).message}`,
      );
    }
  }
}

async function redrive(
  invocation: AwsDeadLettersInvocation,
  held: readonly Held[],
  removed: Set<Held>,
  queues: readonly DeadLetterQueue[],
): Promise<number> {
  const chosen =
    invocation.redrive === 'all' ? held : held.filter((each) => each.entry.id === invocation.redrive);
  if (chosen.length === 0) {
    if (invocation.redrive === 'all') {
      process.stdout.write(`no dead letters in ${queues.map((queue) => queue.url).join(', ')}\n`);
      return EXIT.success;
    }
    say(`no dead letter ${invocation.redrive} in ${queues.map((queue) => queue.url).join(', ')}`);
    return EXIT.notFound;
  }
  const lambda = new LambdaClient({ region: invocation.region });
  let failed = 0;
  try {
    for (const each of chosen) {
      const { entry } = each;
      if (entry.event === undefined || entry.target === undefined) {
        say(
          `${entry.id} cannot be redriven: it names no ${entry.target === undefined ? 'function' : 'event'} to deliver`,
        );
        failed++;
        continue;
      }
      try {
        const answer = await lambda.send(
          new InvokeCommand({
            FunctionName: entry.target,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(entry.event)),
          }),
        );
        if (answer.StatusCode !== 202) throw new Error(`Lambda answered ${answer.StatusCode} instead of 202`);
      } catch (error) {
        say(
          `${entry.id} not redriven (kept in the queue): ${(error as Error).name}: ${(error as Error).message}`,
        );
        failed++;
        continue;
      }
      // Only once Lambda has the event: a failed delete leaves a duplicate entry, never a lost one.
      await remove(each.client, each.queue.url, each.message);
      removed.add(each);
      const what = [entry.job, instant(entry.slot)].filter((part) => part !== undefined).join(' ');
      process.stdout.write(`redriven ${entry.id} (${what || 'no job'}) to ${entry.target}\n`);
    }
  } finally {
    lambda.destroy();
  }
  return failed === 0 ? EXIT.success : EXIT.failed;
}
