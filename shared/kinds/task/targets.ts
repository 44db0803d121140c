/** One call per target type: the user's function, an HTTP endpoint, an event bus. */

import type { RunResult } from '../../runs/context.ts';
import { utf8Length } from '../../validation.ts';
import type { KindRunContext } from '../kind.ts';
import { SIGNATURE_HEADER, signPayload } from '../signature.ts';
import { FunctionInvokeError } from '../targets.ts';
import {
  DEFAULT_HTTP_TIMEOUT_SECONDS,
  EVENT_BUS_TIMEOUT_SECONDS,
  MAX_TARGET_TIMEOUT_SECONDS,
  type TaskTarget,
} from './config.ts';
import type { taskKind } from './definition.ts';
import { EventRejectedError, TaskFunctionError, TaskHttpError, TaskTargetError } from './errors.ts';
import type { TaskEvent } from './event.ts';
import { MAX_RESULT_BYTES, runResultOf } from './result.ts';

type Context = KindRunContext<typeof taskKind>;
type Target<T extends TaskTarget['type']> = Extract<TaskTarget, { type: T }>;

/** PutEvents refuses an entry larger than 256 KB (detail, source and detail type counted). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** A synchronous invoke: the function's answer is the result, its error the run's error. */
export async function callFunction(
  { capabilities, signal, pointOfNoReturn }: Context,
  target: Target<'lambda'>,
  event: TaskEvent,
): Promise<RunResult> {
  const where = `function ${target.functionArn}`;
  await pointOfNoReturn(`the call of ${where}`);
  let answer: Awaited<ReturnType<Context['capabilities']['taskFunctions']['invoke']>>;
  try {
    answer = await capabilities.taskFunctions.invoke({
      functionArn: target.functionArn,
      payload: event,
      signal,
      timeoutMs: (target.timeoutSeconds ?? MAX_TARGET_TIMEOUT_SECONDS) * 1000,
      maxResponseBytes: MAX_RESULT_BYTES,
    });
  } catch (error) {
    // Lambda's own refusals that a retry minutes later would meet again (no such function, no grant,
    // an answer too large or not JSON) end the run now; throttles and timeouts go to Lambda's retries.
    if (error instanceof FunctionInvokeError && !error.retryable) {
      throw new TaskTargetError(error.message, { cause: error });
    }
    throw error;
  }
  if (answer.kind === 'function-error') throw new TaskFunctionError(answer.errorType, answer.errorMessage);
  return runResultOf(answer.body, where);
}

/** The event as a JSON body, signed like a prompt delivery; a JSON answer is the result. */
export async function callHttp(
  { capabilities, clock, signal, pointOfNoReturn }: Context,
  target: Target<'http'>,
  event: TaskEvent,
): Promise<RunResult> {
  const secret = await capabilities.secrets.get(target.signingSecret);
  const body = JSON.stringify(event);
  const where = describeUrl(target.url);
  const timestamp = Math.floor(clock.now().getTime() / 1000);
  await pointOfNoReturn(`the request to ${where}`);
  let response: Awaited<ReturnType<Context['capabilities']['http']['request']>>;
  try {
    response = await capabilities.http.request({
      method: target.method ?? 'POST',
      url: target.url,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        // Stable across attempts of one run, so the endpoint can drop a repeated call.
        'Idempotency-Key': event.runId,
        [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
      },
      body,
      timeoutMs: (target.timeoutSeconds ?? DEFAULT_HTTP_TIMEOUT_SECONDS) * 1000,
      signal,
      maxResponseBytes: MAX_RESULT_BYTES,
    });
  } catch (error) {
    // The outbound client's literal error name (the kind does not import the adapter): the endpoint
    // answered, so it acted; another attempt would call it again for an answer just as large.
    if (error instanceof Error && error.name === 'ResponseTooLargeError') {
      throw new TaskTargetError(`${where} answered more than ${MAX_RESULT_BYTES} bytes`, { cause: error });
    }
    throw error;
  }
  if (response.status < 200 || response.status > 299) {
    throw new TaskHttpError(response.status, excerpt(response.body), where);
  }
  const type = response.headers['content-type'] ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type) || response.body.trim() === '') {
    return { httpStatus: response.status };
  }
  let answer: unknown;
  try {
    answer = JSON.parse(response.body);
  } catch {
    throw new TaskTargetError(`${where} answered ${type} that is not JSON: ${excerpt(response.body)}`);
  }
  return runResultOf(answer, where);
}

/** One event, the TaskEvent as its detail; a refused entry fails the run with its code and message. */
export async function callEventBus(
  { capabilities, signal, pointOfNoReturn }: Context,
  target: Target<'eventbridge'>,
  event: TaskEvent,
): Promise<RunResult> {
  const detail = JSON.stringify(event);
  const size = utf8Length(detail) + utf8Length(target.source) + utf8Length(target.detailType);
  if (size > MAX_EVENT_BYTES) {
    throw new TaskTargetError(
      `the event for bus ${target.eventBusName} would be ${size} bytes; PutEvents takes at most ${MAX_EVENT_BYTES}`,
    );
  }
  await pointOfNoReturn(`the event on bus ${target.eventBusName}`);
  const put = await capabilities.eventBuses.put(
    { eventBusName: target.eventBusName, source: target.source, detailType: target.detailType, detail },
    { signal, timeoutMs: EVENT_BUS_TIMEOUT_SECONDS * 1000 },
  );
  if (put.kind === 'failed')
    throw new EventRejectedError(put.errorCode, put.errorMessage, target.eventBusName);
  return { eventBus: target.eventBusName, eventId: put.eventId };
}

/** Origin and path only: a query string may carry what the endpoint asked for. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function excerpt(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
