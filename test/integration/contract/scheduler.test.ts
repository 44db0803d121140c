/**
 * The SchedulePort contract on the Scheduler adapter, against the emulator started in this process.
 * Each test gets a schedule group of its own, so `list` sees only its schedules. Adapter-specific
 * checks (the wire body, retries, a missing group) stay in test/integration/scheduler-adapter/.
 */
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe } from 'vitest';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { systemClock } from '../../../shared/clock.ts';
import { schedulePortContract } from '../../contract/schedule-port.contract.ts';
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
      const groupName = `contract-${groups}`;
      await local.client.send(new CreateScheduleGroupCommand({ Name: groupName }));
      return createSchedulerSchedulePort({ client: local.client, groupName, clock: systemClock });
    },
  });
});
