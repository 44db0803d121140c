/**
 * SchedulePort in memory, for fast use-case tests: one group per kind, and a legacy group a test may fill
 * (`putLegacy`) as a deployment from before one group per kind left it. The SchedulePort contract suite
 * (test/contract/schedule-port.contract.ts) runs against it and against the Scheduler adapter on the
 * emulator, so it cannot say what Scheduler would not.
 *
 * A schedule is kept as the CreateSchedule/UpdateSchedule body the Scheduler adapter would send
 * (`toScheduleInput`) and read back through the adapter's own reader (`fromGetScheduleOutput`), so
 * whatever the adapter normalizes (an empty description, FlexibleTimeWindow OFF, defaults) this port
 * normalizes the same way by construction.
 *
 * It refuses, as Scheduler does, what the domain's own data can get wrong: an expression or time zone
 * Scheduler does not accept (checked by the shared schedule engine, as the emulator checks them), and
 * a recurring schedule whose StartDate is more than 5 minutes past or whose EndDate is not after it
 * (the domain moves rate anchors forward for that rule). Formats that come from the deployment (ARNs,
 * retry ranges) are left to the emulator and to the deployed service.
 */
import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import type { Clock } from '../../clock.ts';
import { SchedulerRequestError } from '../../errors.ts';
import type { SchedulePort, ScheduleRef, ScheduleSpec } from '../../jobs/ports.ts';
import type { JobKind } from '../../kinds/registry.ts';
import { parseEventBridgeExpression, ScheduleExpressionError, TimeZoneError } from '../../schedule/index.ts';
import { fromGetScheduleOutput, toScheduleInput } from '../scheduler/schedule-port.ts';

/** Scheduler refuses a recurring schedule whose StartDate lies more than this far in the past. */
const START_DATE_GRACE_MS = 5 * 60_000;

/** The groups' names only appear in what Scheduler would be sent. */
const groupOf = (kind: JobKind) => `memory-${kind}`;
/** Keyed by kind and name: each kind's group is a namespace of its own, as in Scheduler. */
const keyOf = (ref: ScheduleRef) => `${ref.kind}/${ref.name}`;

export class MemorySchedulePort implements SchedulePort {
  readonly #schedules = new Map<string, { kind: JobKind; input: CreateScheduleInput }>();
  readonly #legacy = new Set<string>();

  /** @param clock for the StartDate rule, as Scheduler applies it at the time of the request. */
  constructor(private readonly clock: Clock) {}

  async put(spec: ScheduleSpec): Promise<void> {
    // Validation comes before the existence check, so Scheduler refuses on CreateSchedule even when
    // the schedule exists (the adapter tries Create first).
    const problem = refusal(spec, this.clock.now());
    if (problem !== undefined) {
      throw new SchedulerRequestError(
        'CreateSchedule',
        'ValidationException',
        `EventBridge Scheduler refused CreateSchedule for schedule "${spec.name}": ValidationException: ${problem}`,
      );
    }
    this.#schedules.set(keyOf(spec), {
      kind: spec.kind,
      input: toScheduleInput(withDatesCopied(spec), groupOf(spec.kind)),
    });
    this.#legacy.delete(spec.name);
  }

  async delete(ref: ScheduleRef): Promise<void> {
    this.#schedules.delete(keyOf(ref));
    this.#legacy.delete(ref.name);
  }

  async get(ref: ScheduleRef): Promise<ScheduleSpec | undefined> {
    const found = this.#schedules.get(keyOf(ref));
    return found === undefined ? undefined : withDatesCopied(fromGetScheduleOutput(found.input, found.kind));
  }

  async *list(): AsyncIterable<ScheduleSpec> {
    const refs = [...this.#schedules.values()].map(({ kind, input }) => ({ kind, name: input.Name ?? '' }));
    for (const ref of refs.sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
      // Deleted while the caller was iterating: skipped, as the adapter skips it.
      const spec = await this.get(ref);
      if (spec !== undefined) yield spec;
    }
  }

  async *listLegacy(): AsyncIterable<string> {
    yield* [...this.#legacy].sort();
  }

  async deleteLegacy(name: string): Promise<void> {
    this.#legacy.delete(name);
  }

  /** A schedule left in the legacy single group by a deployment from before one group per kind. */
  putLegacy(name: string): void {
    this.#legacy.add(name);
  }
}

/** The spec with Date objects of its own: a caller changing a Date it passed or got changes nothing here. */
function withDatesCopied(spec: ScheduleSpec): ScheduleSpec {
  return {
    ...spec,
    startDate: spec.startDate === undefined ? undefined : new Date(spec.startDate.getTime()),
    endDate: spec.endDate === undefined ? undefined : new Date(spec.endDate.getTime()),
  };
}

/** Why Scheduler would refuse the spec, or undefined. */
function refusal(spec: ScheduleSpec, now: Date): string | undefined {
  // The engine trims (user input relies on that); Scheduler does not.
  if (spec.expression !== spec.expression.trim()) {
    return `Invalid Schedule Expression '${spec.expression}': it must not start or end with whitespace`;
  }
  let type: string;
  try {
    type = parseEventBridgeExpression(spec.expression, { timezone: spec.timezone }).type;
  } catch (error) {
    if (error instanceof ScheduleExpressionError || error instanceof TimeZoneError) return error.message;
    throw error;
  }
  // One-time schedules ignore StartDate and EndDate, so Scheduler checks them for recurring ones only.
  if (type === 'at') return undefined;
  const start = spec.startDate?.getTime();
  const end = spec.endDate?.getTime();
  if (start !== undefined && start < now.getTime() - START_DATE_GRACE_MS) {
    return `The StartDate you specify cannot be earlier than 5 minutes ago (StartDate ${spec.startDate?.toISOString()})`;
  }
  if (start !== undefined && end !== undefined && end <= start) {
    return 'The EndDate you specify must be later than the StartDate';
  }
  return undefined;
}
