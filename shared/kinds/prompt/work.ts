/**
 * The `prompt` kind's work: resolve the signing secret, then POST the prompt to the webhook, signed. A
 * non-2xx answer or no answer in time fails the run (the lifecycle records it, and Lambda retries it).
 * A cancel or the deadline aborts the request in flight through the run's signal; a cancel accepted
 * before the POST starts stops the run before it (see `pointOfNoReturn`).
 *
 * A fan-out child applies its context (`run.context`): `{{name}}` in the prompt is replaced by the
 * context's `name`, and the context is merged into the delivery's metadata (over the job's metadata and
 * the run's parameters: it is the most specific of the three).
 */
import type { KindWork } from '../kind.ts';
import { SIGNATURE_HEADER, signPayload } from '../signature.ts';
import { DEFAULT_DELIVERY_TIMEOUT_SECONDS } from './config.ts';
import type { promptKind } from './definition.ts';

/** The receiver answered, but not with a 2xx. */
export class WebhookRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly bodyExcerpt: string,
    target: string,
  ) {
    super(`webhook ${target} answered HTTP ${status}${bodyExcerpt === '' ? '' : `: ${bodyExcerpt}`}`);
    this.name = 'WebhookRejectedError';
  }
}

/** The side effect a prompt run cannot take back, as run reasons name it. */
const DELIVERY = 'the webhook delivery';

/** The JSON body a webhook receives. */
export interface PromptDelivery {
  readonly job: string;
  readonly runId: string;
  readonly scheduledFor: string;
  readonly prompt: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export const promptWork: KindWork<typeof promptKind> = async ({
  job,
  run,
  config,
  params,
  capabilities,
  clock,
  signal,
  pointOfNoReturn,
}) => {
  const secret = await capabilities.secrets.get(config.target.signingSecret);
  const delivery: PromptDelivery = {
    job: job.name,
    runId: run.runId,
    scheduledFor: run.scheduledFor,
    prompt: run.context === undefined ? config.prompt : fillPlaceholders(config.prompt, run.context),
    metadata: { ...config.metadata, ...params.metadata, ...run.context },
  };
  const body = JSON.stringify(delivery);
  const timestamp = Math.floor(clock.now().getTime() / 1000);
  const timeoutSeconds = config.target.timeoutSeconds ?? DEFAULT_DELIVERY_TIMEOUT_SECONDS;
  // Once the POST starts, the receiver may act on it whatever happens next: a cancel accepted before
  // this point stops the run here, and one that comes later is recorded as too late for the delivery.
  await pointOfNoReturn(DELIVERY);
  const answer = await capabilities.http.post(
    config.target.url,
    body,
    {
      'Content-Type': 'application/json',
      // Stable across attempts of one run, so a receiver can drop a repeated delivery.
      'Idempotency-Key': run.runId,
      [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
    },
    { timeoutMs: timeoutSeconds * 1000, signal },
  );
  const target = describeTarget(config.target.url);
  if (answer.status < 200 || answer.status > 299) {
    throw new WebhookRejectedError(answer.status, answer.bodyExcerpt, target);
  }
  return { webhook: target, httpStatus: answer.status, bytes: Buffer.byteLength(body) };
};

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g;

/**
 * `{{name}}` replaced by the context's `name` (text as is, other values as JSON). A name the context
 * does not have stays as written, so a prompt that shows `{{...}}` for another reason is left alone.
 */
export function fillPlaceholders(prompt: string, context: Readonly<Record<string, unknown>>): string {
  return prompt.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(context, name)) return whole;
    const value = context[name];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Origin and path only: query strings may carry tokens the receiver asked for. */
function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
