/**
 * The port through which the emulator reaches a schedule's target. The local runtime plugs in the
 * in-process Lambda runtime; tests plug in a recording invoker. A rejected promise means the
 * invocation failed: the emulator retries it under the schedule's RetryPolicy and then dead-letters it.
 */

/** What to invoke: the Target's ARN and its Input with the context attributes already substituted. */
export interface TargetRef {
  readonly arn: string;
  readonly input: string | undefined;
}

/** Facts about the invocation, as the service knows them at invoke time. */
export interface InvocationMeta {
  readonly scheduleArn: string;
  readonly groupName: string;
  readonly scheduleName: string;
  /** The Target's RoleArn (the role the service would assume; the emulator does not check IAM). */
  readonly roleArn: string;
  /** The slot: the schedule's scheduled time (not the moment of this attempt). */
  readonly scheduledTime: Date;
  /** A new UUID for every attempt (the emulator draws it when first read: most attempts never need it). */
  readonly executionId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attemptNumber: number;
}

export interface TargetInvoker {
  /** Resolves once the target accepted the event; what it resolves with is not used. */
  invoke(target: TargetRef, meta: InvocationMeta): Promise<unknown>;
}

/** `2022-03-22T18:59:43Z`: the format of `<aws.scheduler.scheduled-time>` (UTC, whole seconds). */
export function formatScheduledTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

const CONTEXT_ATTRIBUTE = /<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g;

/**
 * A Target.Input split once, when its schedule is stored, at the context attributes the service
 * substitutes: a fire then joins a few strings instead of running a regular expression over the input.
 * An input without attributes is kept as the string itself (see `compileInput`).
 */
export class InputTemplate {
  /** Literal text at even indexes, attribute names (`scheduled-time`, …) at odd ones. */
  readonly #parts: readonly string[];

  constructor(parts: readonly string[]) {
    this.#parts = parts;
  }

  render(meta: InvocationMeta, scheduledTimeText: string): string {
    const parts = this.#parts;
    let text = parts[0] as string;
    for (let index = 1; index < parts.length; index += 2) {
      text += attribute(parts[index] as string, meta, scheduledTimeText) + (parts[index + 1] as string);
    }
    return text;
  }
}

/** A Target.Input as a fire needs it: the text itself when it holds no context attribute. */
export type CompiledInput = string | InputTemplate;

/** Splits an input once (when its schedule is stored, or a retry restored); see InputTemplate. */
export function compileInput(input: string | undefined): CompiledInput | undefined {
  if (input === undefined || !input.includes('<aws.scheduler.')) return input;
  const parts: string[] = [];
  let from = 0;
  for (const match of input.matchAll(CONTEXT_ATTRIBUTE)) {
    parts.push(input.slice(from, match.index), match[1] as string);
    from = match.index + match[0].length;
  }
  // Unknown `<aws.scheduler.*>` names only: nothing to substitute.
  if (parts.length === 0) return input;
  parts.push(input.slice(from));
  return new InputTemplate(parts);
}

export function renderInput(input: CompiledInput, meta: InvocationMeta, scheduledTimeText: string): string {
  return typeof input === 'string' ? input : input.render(meta, scheduledTimeText);
}

/**
 * Replaces the context attributes the service substitutes in Target.Input at invocation time.
 * Other text, including unknown `<aws.scheduler.*>` names, is left alone, as the service does.
 */
export function substituteContextAttributes(
  input: string,
  meta: InvocationMeta,
  /** `formatScheduledTime(meta.scheduledTime)`, when the caller already has it. */
  scheduledTimeText?: string,
): string {
  const compiled = compileInput(input) as CompiledInput;
  if (typeof compiled === 'string') return compiled;
  return compiled.render(meta, scheduledTimeText ?? formatScheduledTime(meta.scheduledTime));
}

function attribute(name: string, meta: InvocationMeta, scheduledTimeText: string): string {
  switch (name) {
    case 'schedule-arn':
      return meta.scheduleArn;
    case 'scheduled-time':
      return scheduledTimeText;
    case 'execution-id':
      return meta.executionId;
    default:
      return String(meta.attemptNumber);
  }
}
