/**
 * What a fan-out is made of, checked once: the job's `expand` field (where the contexts come from and
 * the bounds), and the expansion source's answer (`{"contexts": [{"key", ...}, ...]}`). Pure, no I/O.
 */
import * as z from 'zod/mini';
import { FinalRunError } from '../errors.ts';
import type { ChildCounts, ChildStatus, FanOutContext, JobExpand, Run, RunStatus } from '../jobs/model.ts';
import { httpUrlField, metadataField } from '../kinds/fields.ts';
import { describeValue } from '../validation.ts';

export const DEFAULT_MAX_CHILDREN = 100;
/** The issue's bound; a parent also creates every child within its own function timeout. */
export const MAX_CHILDREN_LIMIT = 1_000;
export const DEFAULT_CONCURRENCY = 10;
/**
 * Each running child is a function instance of its own: 100 at once stays well inside a default
 * account's concurrency (1,000) beside everything else the stack runs.
 */
export const MAX_CONCURRENCY = 100;
/**
 * A key becomes part of the child's slot (a sort key, `<parent slot>#<key>`), a log field and a CLI
 * argument: letters, digits and `._:-`, no `#` (the slot separator), at most 64 characters.
 */
export const CONTEXT_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** Stored on each child run: bounded like a manual run's parameters. */
export const MAX_CONTEXT_BYTES = 4 * 1024;
/** A context is stored on its child run: nested and sized so DynamoDB keeps it (as prompt metadata). */
const contextField = z.lazy(() => metadataField({ maxDepth: 16, maxBytes: MAX_CONTEXT_BYTES }));
/** The most of the source's answer that is read: 1,000 contexts of a few hundred bytes each. */
export const MAX_EXPANSION_RESPONSE_BYTES = 1024 * 1024;

const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

const whole = (min: number, max: number) =>
  z.int({ error: (issue) => `must be a whole number; got ${describeValue(issue.input)}` }).check(
    z.minimum(min, {
      error: (issue) => `must be from ${min} to ${max}; got ${describeValue(issue.input)}`,
    }),
    z.maximum(max, {
      error: (issue) => `must be from ${min} to ${max}; got ${describeValue(issue.input)}`,
    }),
  );

/** The job's `expand` field as a request gives it (defaults not applied yet). */
export const expandSchema = z.lazy(() =>
  z
    .strictObject(
      {
        url: z.optional(
          httpUrlField({ signingSecretField: 'a source that needs no credentials in its URL' }),
        ),
        functionArn: z.optional(
          z.string().check(
            z.regex(LAMBDA_ARN, {
              error: (issue) =>
                `must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]); got ${describeValue(issue.input)}`,
            }),
          ),
        ),
        maxChildren: z.optional(whole(1, MAX_CHILDREN_LIMIT)),
        concurrency: z.optional(whole(1, MAX_CONCURRENCY)),
      },
      {
        error: (issue) =>
          `must be an object {url | functionArn, maxChildren?, concurrency?}; got ${describeValue(issue.input)}`,
      },
    )
    .check(
      z.refine((expand) => (expand.url === undefined) !== (expand.functionArn === undefined), {
        error: 'must name exactly one expansion source: url or functionArn',
      }),
    ),
);

export type ExpandInput = z.infer<typeof expandSchema>;

/** The stored form: the defaults written out, so the API shows the bounds a run applies. */
export function normalizeExpand(input: ExpandInput): JobExpand {
  return {
    ...(input.url === undefined ? {} : { url: input.url }),
    ...(input.functionArn === undefined ? {} : { functionArn: input.functionArn }),
    maxChildren: input.maxChildren ?? DEFAULT_MAX_CHILDREN,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

/** Deployed stacks reach expansion URLs over https only (as webhooks); undefined when the URL may be used. */
export function expandUrlProblem(expand: JobExpand, mode: 'aws' | 'local'): string | undefined {
  if (mode !== 'aws' || expand.url === undefined || new URL(expand.url).protocol === 'https:')
    return undefined;
  return `expand.url must be an https URL in a deployed stack; got ${describeValue(expand.url)}`;
}

/**
 * The source answered something no retry will fix: not JSON, not `{"contexts": [...]}`, too many
 * contexts, a bad or repeated key. The parent fails at once and no child is created.
 */
export class ExpansionError extends FinalRunError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExpansionError';
  }
}

/**
 * The contexts of an answer, each with its key (a context without one is keyed by its index), in the
 * source's order; ExpansionError naming the first broken rule otherwise.
 */
export function parseContexts(answer: unknown, expand: JobExpand, source: string): FanOutContext[] {
  const fail = (rule: string) => new ExpansionError(`the expansion source ${source} ${rule}`);
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    throw fail(`must answer a JSON object {"contexts": [...]}; got ${describeValue(answer)}`);
  }
  const contexts = (answer as { contexts?: unknown }).contexts;
  if (!Array.isArray(contexts)) {
    throw fail(`must answer {"contexts": [...]} with an array; got contexts ${describeValue(contexts)}`);
  }
  if (contexts.length > expand.maxChildren) {
    throw fail(
      `answered ${contexts.length} contexts; this job allows at most ${expand.maxChildren} (expand.maxChildren)`,
    );
  }
  const seen = new Map<string, number>();
  return contexts.map((context: unknown, index) => {
    if (context === null || typeof context !== 'object' || Array.isArray(context)) {
      throw fail(`answered contexts[${index}] that is not an object; got ${describeValue(context)}`);
    }
    const given = (context as { key?: unknown }).key;
    const key = given === undefined ? String(index) : given;
    if (typeof key !== 'string' || !CONTEXT_KEY_PATTERN.test(key)) {
      throw fail(
        `answered contexts[${index}].key ${describeValue(key)}; a key must be 1-64 of A-Z a-z 0-9 . _ : - (it names the child's slot)`,
      );
    }
    const first = seen.get(key);
    if (first !== undefined) {
      throw fail(
        `answered the key "${key}" twice (contexts[${first}] and contexts[${index}]); keys must be unique`,
      );
    }
    seen.set(key, index);
    const keyed = { ...(context as Record<string, unknown>), key } as FanOutContext;
    const checked = contextField.safeParse(keyed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : `.${issue.path.join('.')}`;
      throw fail(`answered contexts[${index}]${where} that cannot be stored: ${issue?.message ?? 'invalid'}`);
    }
    return keyed;
  });
}

/** A child's slot: its parent's slot and its key, so a repeated delivery of the parent finds it. */
export function childSlot(parentSlot: string, key: string): string {
  return `${parentSlot}#${key}`;
}

/** No child counted yet. */
export function zeroCounts(total: number): ChildCounts {
  return { total, succeeded: 0, failed: 0, cancelled: 0, skipped: 0, timed_out: 0 };
}

export function countedTotal(counts: ChildCounts): number {
  return counts.succeeded + counts.failed + counts.cancelled + counts.skipped + counts.timed_out;
}

export function isChildStatus(status: RunStatus): status is ChildStatus {
  return (CHILD_STATUSES as readonly string[]).includes(status);
}

const CHILD_STATUSES: readonly ChildStatus[] = ['succeeded', 'failed', 'cancelled', 'skipped', 'timed_out'];

/**
 * How a parent ends once every child has: `cancelled` when it was asked to (its children were
 * cancelled with it); `succeeded` only when every child succeeded; otherwise `failed`, naming how many
 * children did not succeed and why. A child skipped (the job was deleted before it started) or
 * cancelled on its own did not do its work, so the parent did not do all of its work either.
 */
export function parentOutcome(
  counts: ChildCounts,
  cancelRequested: boolean,
): Pick<Run, 'status'> & Partial<Pick<Run, 'error' | 'reason'>> {
  if (cancelRequested) {
    return {
      status: 'cancelled',
      reason: `cancelled by request with its children (${describeCounts(counts)})`,
    };
  }
  if (counts.succeeded === counts.total) return { status: 'succeeded' };
  return {
    status: 'failed',
    error: {
      type: 'ChildRunsFailed',
      message: `${counts.total - counts.succeeded} of ${counts.total} children did not succeed (${describeCounts(counts)})`,
    },
  };
}

function describeCounts(counts: ChildCounts): string {
  return CHILD_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${status}`)
    .join(', ');
}
