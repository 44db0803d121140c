/**
 * The SchedulePort contract on the Scheduler adapter, against the emulator started in this process.
 * Each test gets a schedule group of its own, so `list` sees only its schedules. Adapter-specific
 * checks (the wire body, retries, a missing group) stay in test/integration/scheduler-adapter/.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { systemClock } from '../../../shared/clock.ts';
import { schedulePortContract } from '../../contract/schedule-port.contract.ts';
import { createKindScheduleGroups } from '../../support/schedules.ts';
import { type QuietEmulator, startQuietEmulator } from '../scheduler-adapter/emulator.ts';

let local: QuietEmulator;
let groups = 0;

beforeAll(async () => {
  local = await startQuietEmulator();
});

afterAll(async () => {
  await local?.close();
});

describe('Scheduler adapter on the emulator', () => {
  schedulePortContract({
    open: async () => {
      groups++;
      const prefix = `contract-${groups}`;
      return createSchedulerSchedulePort({
        client: local.client,
        groups: await createKindScheduleGroups(local.client, prefix),
        clock: systemClock,
      });
    },
  });
});
