/**
 * The task kind's eventbridge target: the unmodified EventBridge client against the local EventBridge
 * endpoint (local/eventbridge/), which keeps what it takes; `tickwork events` lists it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../../local/eventbridge/event-store.ts';
import { type EventBridgeApi, startEventBridgeApi } from '../../../local/eventbridge/server.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import { runCli as cli } from '../../support/cli.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { givenTaskJob, runOf, scheduled, setup, taskEvent, useTaskWorld } from './support.ts';

const world = useTaskWorld();

let endpoint: EventBridgeApi;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-events-'));
  endpoint = await startEventBridgeApi({
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    accountId: '123456789012',
    dataDir,
    buses: ['orders'],
    log: silentLogger,
  });
});
afterEach(async () => {
  await endpoint.close();
  await rm(dataDir, { recursive: true, force: true });
});

const busJob = (eventBusName: string) => ({
  target: { type: 'eventbridge', eventBusName, source: 'com.example.billing', detailType: 'ReminderDue' },
  payload: { invoiceIds: ['A-1'] },
});

describe('a task job with an eventbridge target', () => {
  it('puts one event whose detail is the TaskEvent, and keeps its id as the result', async () => {
    const { deps, work } = setup(world, { eventbridge: endpoint.endpoint });
    const job = await givenTaskJob(deps, busJob('orders'));

    await executeRun(deps, scheduled(job), work);

    const run = await runOf(deps, job);
    const events = await listEvents(dataDir);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      bus: 'orders',
      source: 'com.example.billing',
      detailType: 'ReminderDue',
      detail: taskEvent(job, run, { invoiceIds: ['A-1'] }),
    });
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual({ eventBus: 'orders', eventId: events[0]?.id });

    // And `tickwork events` lists it, for its bus only
    const listed = await cli(['events', '--data-dir', dataDir, '--bus', 'orders', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).events).toEqual(events);
    const otherBus = await cli(['events', '--data-dir', dataDir, '--bus', 'default']);
    expect(otherBus.stdout).toContain('no events on bus default');
  });

  it("fails the run with the entry's ErrorCode and ErrorMessage when PutEvents refuses it (a partial failure)", async () => {
    const { deps, work } = setup(world, { eventbridge: endpoint.endpoint });
    const job = await givenTaskJob(deps, busJob('no-such-bus'));

    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow(
      'event bus no-such-bus refused the event: ResourceNotFoundException: Event bus no-such-bus does not exist.',
    );
    expect((await runOf(deps, job)).error?.type).toBe('EventRejectedError');
    expect(await listEvents(dataDir)).toEqual([]);
  });
});
