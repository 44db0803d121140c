/**
 * One schedule group per kind on the local stack, through the real Scheduler SDK client on the emulator:
 * jobs of two kinds land in their kinds' groups, and a data directory from before one group per kind
 * (every schedule in `tickwork-local`) is moved at the next start by the reconcile the stack runs, while
 * a job written in between leaves the old group at once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { promptDefinition } from '../../support/jobs.ts';
import { captureLogs } from '../../support/logs.ts';

const LEGACY_GROUP = 'tickwork-local';
const stacks: LocalStack[] = [];
/** One data directory for the file: handlers read their configuration once per process. */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-groups-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'hook-key': 'groups-secret' }));
});

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start() {
  const { log, entries } = captureLogs('debug');
  const stack = await startLocalStack({ dataDir, log, asyncRetryDelaysMs: [] });
  stacks.push(stack);
  const { schedulerEndpoint, credentials } = stack.endpoints;
  const scheduler = new SchedulerClient({
    endpoint: schedulerEndpoint,
    region: credentials.region,
    credentials,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.endpoints.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const names = async (group: string) => {
    const found: string[] = [];
    for await (const page of paginateListSchedules({ client: scheduler }, { GroupName: group })) {
      for (const summary of page.Schedules ?? []) found.push(summary.Name ?? '');
    }
    return found.sort();
  };
  const stop = async () => {
    scheduler.destroy();
    stacks.splice(stacks.indexOf(stack), 1);
    await stack.close();
  };
  return { stack, logs: entries, scheduler, call, names, stop };
}

type Started = Awaited<ReturnType<typeof start>>;

/** Moves a schedule back into the single group, as a deployment before one group per kind had it. */
async function intoLegacyGroup(started: Started, name: string, group: string): Promise<void> {
  const {
    $metadata: _metadata,
    Arn: _arn,
    CreationDate,
    LastModificationDate,
    State,
    ...schedule
  } = await started.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
  await started.scheduler.send(
    new CreateScheduleCommand({ ...schedule, Name: name, GroupName: LEGACY_GROUP, State } as never),
  );
  await started.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: group }));
}

const taskDefinition = (name: string) => ({
  name,
  kind: 'task',
  schedule: 'cron(0 8 * * ? *)',
  config: { target: { type: 'lambda', functionArn: localFunctionArn('groups-example') }, payload: {} },
});

describe('one schedule group per kind on the local stack', () => {
  it("Given a prompt job and a task job, Then each schedule is in its kind's group and nowhere else", async () => {
    const started = await start();
    const { scheduleGroups } = started.stack.endpoints;
    const prompt = await started.call('PUT', '/jobs/grouped-prompt', promptDefinition('grouped-prompt'));
    const task = await started.call('PUT', '/jobs/grouped-task', taskDefinition('grouped-task'));
    expect([prompt.status, task.status], `${prompt.text} ${task.text}`).toEqual([201, 201]);

    expect(await started.names(scheduleGroups.prompt)).toEqual(['grouped-prompt']);
    expect(await started.names(scheduleGroups.task)).toEqual(['grouped-task']);
    for (const [kind, group] of Object.entries(scheduleGroups)) {
      if (kind !== 'prompt' && kind !== 'task') expect(await started.names(group)).toEqual([]);
    }

    // And deleting a job deletes its schedule from its kind's group
    expect((await started.call('DELETE', '/jobs/grouped-task')).status).toBe(204);
    expect((await started.call('DELETE', '/jobs/grouped-prompt')).status).toBe(204);
    expect(await started.names(scheduleGroups.task)).toEqual([]);
    expect(await started.names(scheduleGroups.prompt)).toEqual([]);
    await started.stop();
  });

  it('Given schedules left in the old single group, When a job is written, Then it leaves the old group; When the stack starts again, Then reconcile moves the rest', async () => {
    // Given jobs of two kinds whose schedules sit in the old single group, and one no job wants
    const first = await start();
    const { scheduleGroups } = first.stack.endpoints;
    await first.scheduler.send(new CreateScheduleGroupCommand({ Name: LEGACY_GROUP }));
    for (const [name, definition] of [
      ['old-prompt', promptDefinition('old-prompt')],
      ['old-task', taskDefinition('old-task')],
      ['old-edited', promptDefinition('old-edited')],
    ] as const) {
      const created = await first.call('PUT', `/jobs/${name}`, definition);
      expect(created.status, created.text).toBe(201);
      await intoLegacyGroup(
        first,
        name,
        definition.kind === 'task' ? scheduleGroups.task : scheduleGroups.prompt,
      );
    }
    await first.scheduler.send(
      new CreateScheduleCommand({
        Name: 'old-orphan',
        GroupName: LEGACY_GROUP,
        ScheduleExpression: 'rate(1 day)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: localFunctionArn('tickwork-local-prompt'),
          RoleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
        },
      }),
    );
    expect(await first.names(LEGACY_GROUP)).toEqual(['old-edited', 'old-orphan', 'old-prompt', 'old-task']);

    // When one of them is edited through the API
    expect((await first.call('PATCH', '/jobs/old-edited', { description: 'edited' })).status).toBe(200);
    // Then its schedule is in its kind's group only, with the edit
    expect(await first.names(LEGACY_GROUP)).toEqual(['old-orphan', 'old-prompt', 'old-task']);
    const edited = await first.scheduler.send(
      new GetScheduleCommand({ Name: 'old-edited', GroupName: scheduleGroups.prompt }),
    );
    expect(edited.Description).toBe('edited');
    await first.stop();

    // When the stack starts again
    const second = await start();

    // Then every job's schedule is in its kind's group, the old group is empty, and the log says so
    expect(await second.names(scheduleGroups.prompt)).toEqual(['old-edited', 'old-prompt']);
    expect(await second.names(scheduleGroups.task)).toEqual(['old-task']);
    expect(await second.names(LEGACY_GROUP)).toEqual([]);
    for (const job of ['old-prompt', 'old-task']) {
      expect(second.logs).toContainEqual(
        expect.objectContaining({
          message: 'reconcile repaired',
          job,
          repair: 'moved its schedule from the old single group to its kind group',
        }),
      );
    }
    expect(second.logs).toContainEqual(
      expect.objectContaining({
        message: 'reconcile repaired',
        job: 'old-orphan',
        repair: 'deleted its schedule in the old single group',
      }),
    );
    await second.stop();
  });
});
