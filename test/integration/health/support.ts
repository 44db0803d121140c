/**
 * Test support for the health suites: the real local stack (API front, API and prompt functions,
 * dynalite, the Scheduler emulator) with a ManualClock driving the emulator and the sweeper, a webhook
 * receiver, and readers of the due index and of the status as the API answers them.
 */

import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { expect } from 'vitest';
import { LOCAL_SCHEDULE_GROUPS } from '../../../local/lambda/environment.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { tableName } from '../../../shared/tables.ts';
import type { ApiAnswer, ApiHarness } from '../api/support.ts';
import { promptJob, until } from '../api/support.ts';
import type { Receiver } from '../prompt/receiver.ts';

export const SECRET = 'health-hook';

/** A stored job's schedule every 5 minutes on the clock (grace 60 s, starting deadline 300 s by default). */
export const EVERY_5: Pick<Job, 'schedule'> = {
  schedule: {
    input: 'cron(0/5 * * * ? *)',
    expression: 'cron(0/5 * * * ? *)',
    timezone: 'UTC',
    description: 'every 5 minutes',
    type: 'cron',
  },
};

export interface RunView {
  readonly runId: string;
  readonly status: string;
  readonly trigger: string;
  readonly scheduledFor: string;
  readonly reason?: string;
}

/** Creates (or replaces) a prompt job delivering to `receiver`; answers its view. */
export async function givenJob(
  api: ApiHarness,
  name: string,
  receiver: Receiver,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await api.call('PUT', `/jobs/${name}`, {
    body: promptJob(name, {
      config: {
        prompt: `Work of ${name}`,
        target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
      },
      ...fields,
    }),
  });
  expect([200, 201], answer.text).toContain(answer.status);
  return answer.json as Record<string, unknown>;
}

/** Scheduler never delivers the job's slots (as in an outage of the service): its schedule is gone. */
export async function scheduleLost(api: ApiHarness, name: string): Promise<void> {
  // The schedule is in its kind's group: the others answer ResourceNotFound.
  const deleted = await Promise.allSettled(
    Object.values(LOCAL_SCHEDULE_GROUPS).map((group) =>
      api.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: group })),
    ),
  );
  expect(deleted.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
}

/** The due index as the sweeper reads it: job → its entry. */
export async function dueIndex(api: {
  readonly stack: Pick<ApiHarness['stack'], 'endpoints'>;
}): Promise<Map<string, { slot: string; stage: string; dueAt: string }>> {
  const { dynamodbEndpoint, credentials } = api.stack.endpoints;
  const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: credentials.region, credentials });
  try {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName('local', 'jobs'),
        IndexName: 'jobs-by-due',
        KeyConditionExpression: 'dueShard = :shard',
        ExpressionAttributeValues: { ':shard': { S: 'due' } },
      }),
    );
    return new Map(
      (output.Items ?? []).map((item) => [
        String(item.name?.S).slice(0, -'#run'.length),
        { slot: String(item.dueSlot?.S), stage: String(item.dueStage?.S), dueAt: String(item.dueAt?.S) },
      ]),
    );
  } finally {
    client.destroy();
  }
}

/** The job's line of GET /status. */
export async function statusOf(api: ApiHarness, name: string): Promise<Record<string, unknown>> {
  const answer = await api.call('GET', '/status?limit=100');
  expect(answer.status, answer.text).toBe(200);
  const line = (answer.json.jobs as Array<Record<string, unknown>>).find((job) => job.name === name);
  if (line === undefined) throw new Error(`job ${name} is not in the status`);
  return line;
}

/** The job's runs, oldest slot first, once `done` holds for them (or the wait ran out). */
export async function runsOf(
  api: ApiHarness,
  name: string,
  done: (runs: RunView[]) => boolean = () => true,
): Promise<RunView[]> {
  const answer = await until(
    () => api.call('GET', `/jobs/${name}/runs?limit=100`),
    (listed: ApiAnswer) => done(listed.json?.runs ?? []),
    60_000,
  );
  return [...(answer.json.runs as RunView[])].sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
}

export const isEnded = (run: RunView) => !['pending', 'running', 'retrying'].includes(run.status);

/** The job's status line once its health is `health` (or the wait ran out). */
export async function healthBecomes(
  api: ApiHarness,
  name: string,
  health: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  let line = await statusOf(api, name);
  while (line.health !== health && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    line = await statusOf(api, name);
  }
  return line;
}
