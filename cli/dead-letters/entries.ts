/**
 * What a message in one of a deployment's dead-letter queues says, explained: which job and slot, how
 * many attempts, the last error, and what to deliver again to redrive it. Pure: messages in, entries out.
 *
 * Two shapes arrive (a message of neither is shown as `unknown` with its body, never dropped):
 * - Scheduler's dead-letter queue: the body is the target's input (our job event: `job`, `scheduledTime`,
 *   `attempt`, …) and message attributes say why: ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS (retries
 *   after the first attempt), TARGET_ARN, SCHEDULE_ARN, EXECUTION_ID (EventBridge Scheduler User Guide,
 *   "Configuring a dead-letter queue").
 * - A job function's on-failure destination: a Lambda invocation record, `requestContext` (functionArn,
 *   condition, approximateInvokeCount), `requestPayload` (the event) and `responsePayload` (the error the
 *   last attempt threw: errorType, errorMessage) (Lambda Developer Guide, "Invocation records").
 */
import type { DeadLetterSource } from '../../shared/adapters/sqs/queue-names.ts';

/** One SQS message, as ReceiveMessage answers it (only what is read here). */
export interface QueueMessage {
  readonly MessageId?: string | undefined;
  readonly Body?: string | undefined;
  readonly Attributes?: Partial<Record<string, string>> | undefined;
  readonly MessageAttributes?:
    | Record<string, { readonly StringValue?: string | undefined; readonly DataType?: string | undefined }>
    | undefined;
}

export interface DeadLetterEntry {
  /** The SQS message id: what `--redrive <id>` names. */
  readonly id: string;
  /** The queue's URL. */
  readonly queue: string;
  readonly source: DeadLetterSource | 'unknown';
  readonly job?: string;
  /** The slot: the scheduled time the event was for. */
  readonly slot?: string;
  /** Attempts made before it was given up on (Scheduler: its retries + 1; Lambda: its invoke count). */
  readonly attempts?: number;
  /** The last error, `code: message`, or why Lambda gave up (`RetriesExhausted`, `EventAgeExceeded`). */
  readonly error?: string;
  /** The function the event was for (unqualified ARN): where a redrive delivers it. */
  readonly target?: string;
  readonly schedule?: string;
  /** When the queue received it (ISO), from SQS's SentTimestamp. */
  readonly sentAt?: string;
  /** The event to deliver again; undefined when the body is not one (the entry cannot be redriven). */
  readonly event?: Readonly<Record<string, unknown>>;
  /** The body as it came, for an entry of neither shape. */
  readonly body?: string;
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parse(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A function ARN without its qualifier (`:$LATEST`, a version or alias): a redrive runs the current code. */
export function unqualified(arn: string): string {
  const match = /^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+)(:.+)?$/.exec(arn);
  return match?.[1] ?? arn;
}

/** The job and slot of one of our job events (a fan-out child's slot is its own `slot`). */
function jobOf(event: Readonly<Record<string, unknown>> | undefined): Pick<DeadLetterEntry, 'job' | 'slot'> {
  const job = str(event?.job);
  const slot = str(event?.slot) ?? str(event?.scheduledTime);
  return { ...(job === undefined ? {} : { job }), ...(slot === undefined ? {} : { slot }) };
}

function joined(code: string | undefined, message: string | undefined): string | undefined {
  if (code === undefined) return message;
  return message === undefined ? code : `${code}: ${message}`;
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The entry a message of `queue` explains. */
export function explain(queue: string, message: QueueMessage): DeadLetterEntry {
  const id = message.MessageId ?? '';
  const sent = Number(message.Attributes?.SentTimestamp);
  const sentAt = Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined;
  const body = parse(message.Body);
  const attribute = (name: string) => str(message.MessageAttributes?.[name]?.StringValue);
  const invocation = record(body);
  const context = record(invocation?.requestContext);
  if (context !== undefined && 'requestPayload' in (invocation ?? {})) {
    const event = record(invocation?.requestPayload);
    const response = record(invocation?.responsePayload);
    const functionArn = str(context.functionArn);
    const count = context.approximateInvokeCount;
    return {
      id,
      queue,
      source: 'lambda',
      ...jobOf(event),
      ...defined({
        attempts: typeof count === 'number' ? count : undefined,
        error:
          joined(str(response?.errorType), str(response?.errorMessage)) ??
          str(context.condition) ??
          undefined,
        target: functionArn === undefined ? undefined : unqualified(functionArn),
        sentAt,
        event,
      }),
    };
  }
  const code = attribute('ERROR_CODE');
  const targetArn = attribute('TARGET_ARN');
  if (code !== undefined || targetArn !== undefined || attribute('SCHEDULE_ARN') !== undefined) {
    const retries = Number(attribute('RETRY_ATTEMPTS'));
    const event = record(body);
    return {
      id,
      queue,
      source: 'scheduler',
      ...jobOf(event),
      ...defined({
        attempts: Number.isInteger(retries) && retries >= 0 ? retries + 1 : undefined,
        error: joined(code, attribute('ERROR_MESSAGE')),
        target: targetArn === undefined ? undefined : unqualified(targetArn),
        schedule: attribute('SCHEDULE_ARN'),
        sentAt,
        event,
      }),
    };
  }
  return { id, queue, source: 'unknown', ...defined({ sentAt, body: message.Body }) };
}

/** Newest first (by when the queue received them), at most `limit`. */
export function newestEntries(entries: readonly DeadLetterEntry[], limit?: number): DeadLetterEntry[] {
  const ordered = [...entries].sort((a, b) => (b.sentAt ?? '').localeCompare(a.sentAt ?? ''));
  return limit === undefined ? ordered : ordered.slice(0, limit);
}
