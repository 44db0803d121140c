/**
 * The SchedulePort contract: what every SchedulePort does, as far as a caller can observe. It runs
 * against the Scheduler adapter on the emulator (test/integration/contract/scheduler.test.ts) and
 * against the in-memory port (test/unit/contract/memory.test.ts). Times are taken from the wall clock,
 * which the emulator's StartDate rule uses.
 */
import { describe, expect, it } from 'vitest';
import { SchedulerRequestError } from '../../shared/errors.ts';
import type { SchedulePort, ScheduleSpec } from '../../shared/jobs/ports.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import {
  DAY_MS,
  fromNow,
  MINUTE_MS,
  SPEC_KIND,
  scheduleRef,
  scheduleSpec as spec,
} from '../support/schedules.ts';

export interface SchedulePortSubject {
  /** A port on a schedule group holding no schedule. */
  open(): Promise<SchedulePort>;
}

/** The same schedule with none of the optional fields: a one-time schedule, disabled, no description. */
function bare(name: string): ScheduleSpec {
  const full = spec(name);
  return {
    ...full,
    expression: 'at(2030-01-01T09:00:00)',
    timezone: 'UTC',
    description: '',
    state: 'DISABLED',
    startDate: undefined,
    endDate: undefined,
    flexibleWindowMinutes: undefined,
    actionAfterCompletion: 'DELETE',
    target: { ...full.target, deadLetterArn: undefined, input: '{"job":"bare"}' },
  };
}

/** StartDate and EndDate at the same instant. */
function boundedAt(instant: Date): Partial<ScheduleSpec> {
  return { startDate: instant, endDate: new Date(instant.getTime()) };
}

async function listed(port: SchedulePort): Promise<ScheduleSpec[]> {
  const all: ScheduleSpec[] = [];
  for await (const item of port.list()) all.push(item);
  return all;
}

export function schedulePortContract(subject: SchedulePortSubject): void {
  describe('put, get, list, delete', () => {
    it('Given an empty group, Then nothing is read or listed, and deleting a missing schedule is done', async () => {
      const port = await subject.open();
      expect(await port.get(scheduleRef('never-existed'))).toBeUndefined();
      expect(await listed(port)).toEqual([]);
      await expect(port.delete(scheduleRef('never-existed'))).resolves.toBeUndefined();
    });

    // Built when the test runs: the StartDate rule is checked against the time of the request.
    it.each<[string, () => ScheduleSpec]>([
      ['every field set', () => spec('round-trip')],
      ['no optional field and an empty description', () => bare('round-trip')],
      [
        'a rate whose StartDate passed a minute ago (within the 5 minutes Scheduler allows)',
        () => spec('round-trip', { expression: 'rate(1 hour)', startDate: fromNow(-MINUTE_MS) }),
      ],
    ])(
      'Given a schedule with %s, When it is put, Then it reads back and lists as written, until deleted',
      async (_case, build) => {
        // Given
        const port = await subject.open();
        const wanted = build();
        // When
        await port.put(wanted);
        // Then
        const read = await port.get(scheduleRef('round-trip'));
        expect(read).toEqual(wanted);
        expect(read?.startDate === undefined || read.startDate instanceof Date).toBe(true);
        expect(await listed(port)).toEqual([wanted]);
        // And after delete
        await port.delete(scheduleRef('round-trip'));
        expect(await port.get(scheduleRef('round-trip'))).toBeUndefined();
        expect(await listed(port)).toEqual([]);
      },
    );

    it('Given a schedule with every field, When it is put again without them, Then it is exactly the replacement', async () => {
      // Given
      const port = await subject.open();
      await port.put(spec('full-replace'));
      // When
      const replacement = bare('full-replace');
      await port.put(replacement);
      // Then nothing of the first one survives
      expect(await port.get(scheduleRef('full-replace'))).toEqual(replacement);
      expect(await listed(port)).toEqual([replacement]);
    });

    it('Given a stored schedule, When the caller changes the spec it put or one it read, Then the stored schedule does not change', async () => {
      // Given
      const written = spec('copied');
      const original = structuredClone(written);
      const port = await subject.open();
      await port.put(written);
      // When
      const scribble = (item: ScheduleSpec | undefined) => {
        item?.startDate?.setTime(0);
        (item?.target.retryPolicy as { maximumRetryAttempts: number }).maximumRetryAttempts = 0;
      };
      scribble(written);
      scribble(await port.get(scheduleRef('copied')));
      scribble((await listed(port))[0]);
      // Then
      expect(await port.get(scheduleRef('copied'))).toEqual(original);
    });

    it("Given schedules of one name in two kinds' groups, Then each is its own: read, listed and deleted apart", async () => {
      // Given (a kind's group is a namespace of its own, as a Scheduler group is)
      const port = await subject.open();
      const other = JOB_KINDS.find((kind) => kind !== SPEC_KIND) ?? SPEC_KIND;
      const mine = spec('twin');
      const theirs = { ...spec('twin', { description: 'the other kind' }), kind: other };
      await port.put(mine);
      await port.put(theirs);
      // Then
      expect(await port.get({ name: 'twin', kind: other })).toEqual(theirs);
      expect(await port.get(scheduleRef('twin'))).toEqual(mine);
      expect((await listed(port)).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(
        [mine, theirs].sort((a, b) => a.kind.localeCompare(b.kind)),
      );
      // And deleting one leaves the other
      await port.delete({ name: 'twin', kind: other });
      expect(await listed(port)).toEqual([mine]);
      // And without a legacy group there is nothing to move
      const legacy: string[] = [];
      for await (const name of port.listLegacy()) legacy.push(name);
      expect(legacy).toEqual([]);
      await expect(port.deleteLegacy('twin')).resolves.toBeUndefined();
    });

    it('Given more schedules than one page of ListSchedules, When listed, Then each comes once, as read one by one', async () => {
      // Given
      const port = await subject.open();
      const names = Array.from({ length: 105 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
      for (const name of names) await port.put(spec(name, { expression: 'rate(1 hour)', timezone: 'UTC' }));
      // When
      const all = await listed(port);
      // Then
      expect(all.map((item) => item.name).sort()).toEqual(names);
      expect(all.find((item) => item.name === 'many-104')).toEqual(await port.get(scheduleRef('many-104')));
    });
  });

  describe('refusals', () => {
    it.each<[string, Partial<ScheduleSpec>]>([
      ['an expression Scheduler does not accept', { expression: 'rate(30 seconds)' }],
      ['an expression with surrounding whitespace', { expression: ' rate(1 hour)' }],
      ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }],
      [
        'a recurring schedule starting an hour ago',
        { expression: 'rate(1 hour)', startDate: fromNow(-60 * MINUTE_MS) },
      ],
      [
        'an EndDate before the StartDate',
        { startDate: fromNow(DAY_MS), endDate: fromNow(DAY_MS - MINUTE_MS) },
      ],
      ['an EndDate equal to the StartDate', boundedAt(fromNow(DAY_MS))],
    ])(
      'Given %s, When it is put, Then Scheduler refuses CreateSchedule with a ValidationException and keeps nothing',
      async (_case, overrides) => {
        // Given
        const port = await subject.open();
        // When
        const error = await port.put(spec('refused', overrides)).catch((caught: unknown) => caught);
        // Then
        expect(error).toBeInstanceOf(SchedulerRequestError);
        expect(error).toMatchObject({
          name: 'SchedulerRequestError',
          operation: 'CreateSchedule',
          code: 'ValidationException',
        });
        expect((error as Error).message).toMatch(/refused CreateSchedule for schedule "refused"/);
        expect(await port.get(scheduleRef('refused'))).toBeUndefined();
      },
    );

    it('Given an existing schedule, When it is put again with an invalid expression, Then it is refused and stays as it was', async () => {
      const port = await subject.open();
      const kept = spec('kept');
      await port.put(kept);
      await expect(port.put(spec('kept', { expression: 'rate(30 seconds)' }))).rejects.toMatchObject({
        operation: 'CreateSchedule',
        code: 'ValidationException',
      });
      expect(await port.get(scheduleRef('kept'))).toEqual(kept);
    });

    it('Given a one-time schedule whose StartDate has passed, When it is put, Then it is accepted: one-time schedules ignore StartDate', async () => {
      const port = await subject.open();
      const wanted = { ...bare('one-time'), startDate: fromNow(-DAY_MS) };
      await port.put(wanted);
      expect(await port.get(scheduleRef('one-time'))).toEqual(wanted);
    });
  });
}
