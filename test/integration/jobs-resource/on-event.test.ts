/**
 * The jobs custom resource's handler, invoked as the Provider framework invokes it (a synchronous Invoke
 * with CloudFormation's event) in the local stack's Lambda runtime, against dynalite and the Scheduler
 * emulator through the unmodified SDK: create, update, rename, delete, rollback and repeated events,
 * and the API's refusal of the jobs it manages.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionName } from '../../../shared/functions.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../api/support.ts';

const SOURCE = 'stack Tickwork-test-Service';
const HANDLER = functionName('local', 'jobs-resource');
const TASK_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:user-eval';

function taskJob(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    kind: 'task',
    schedule: 'daily',
    timezone: 'Europe/Berlin',
    config: { target: { type: 'lambda', functionArn: TASK_FUNCTION } },
    ...overrides,
  };
}

const properties = (jobs: readonly unknown[], source = SOURCE) => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider-framework-onEvent',
  Source: source,
  Jobs: JSON.stringify(jobs),
});

const base = {
  ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider-framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/unused',
  StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Tickwork-test-Service/1',
  RequestId: 'request-1',
  LogicalResourceId: 'TickworkJobs',
  ResourceType: 'Custom::TickworkJobs',
};

function create(jobs: readonly unknown[]): CloudFormationCustomResourceEvent {
  return { ...base, RequestType: 'Create', ResourceProperties: properties(jobs) };
}

function update(jobs: readonly unknown[], old: readonly unknown[]): CloudFormationCustomResourceEvent {
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId: SOURCE,
    ResourceProperties: properties(jobs),
    OldResourceProperties: properties(old),
  };
}

function remove(jobs: readonly unknown[]): CloudFormationCustomResourceEvent {
  return { ...base, RequestType: 'Delete', PhysicalResourceId: SOURCE, ResourceProperties: properties(jobs) };
}

describe('the jobs custom resource against the local stack', () => {
  let api: ApiHarness;
  const onEvent = (event: CloudFormationCustomResourceEvent) => api.stack.runtime.invoke(HANDLER, event);
  const job = async (name: string) => (await api.call('GET', `/jobs/${name}`)).json;

  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  const v1 = [
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
    taskJob('nightly-eval', { then: { onSuccess: ['morning-digest'] } }),
    promptJob('morning-digest'),
  ];

  it('Given a Create with two jobs, one chaining to the other, Then both exist with their schedules, managed by the stack', async () => {
    const answer = await onEvent(create(v1));

    expect(answer).toEqual({ PhysicalResourceId: SOURCE, Data: { Applied: 2, Deleted: 0 } });
    const snapshot = await api.snapshot();
    expect(snapshot.jobs).toEqual(['morning-digest', 'nightly-eval']);
    expect(snapshot.schedules).toEqual(['morning-digest', 'nightly-eval']);
    expect(await job('nightly-eval')).toMatchObject({
      kind: 'task',
      managedBy: SOURCE,
      timezone: 'Europe/Berlin',
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
      then: { onSuccess: ['morning-digest'] },
    });
    expect((await job('morning-digest')).managedBy).toBe(SOURCE);
  });

  it('Given the same Create again (a CloudFormation retry), Then it succeeds and the jobs stay as they were', async () => {
    const before = await job('nightly-eval');

    const answer = await onEvent(create(v1));

    expect(answer).toEqual({ PhysicalResourceId: SOURCE, Data: { Applied: 2, Deleted: 0 } });
    const after = await job('nightly-eval');
    expect({ ...after, version: 0, updatedAt: '' }).toEqual({ ...before, version: 0, updatedAt: '' });
    expect((await api.snapshot()).schedules).toEqual(['morning-digest', 'nightly-eval']);
  });

  it('Given a managed job, Then the API refuses to replace, patch or delete it (409 naming the stack), and pause, resume and run work', async () => {
    const replaced = await api.call('PUT', '/jobs/morning-digest', { body: promptJob('morning-digest') });
    const patched = await api.call('PATCH', '/jobs/morning-digest', { body: { description: 'mine now' } });
    const deleted = await api.call('DELETE', '/jobs/morning-digest');

    for (const answer of [replaced, patched, deleted]) {
      expect(answer.status).toBe(409);
      expect(answer.json.error.type).toBe('JobManaged');
      expect(answer.json.error.message).toContain(`managed by ${SOURCE}`);
    }
    expect(replaced.json.error.message).toContain('cannot be replaced');
    expect(deleted.json.error.message).toContain('cannot be deleted');
    expect(await job('morning-digest')).toMatchObject({ managedBy: SOURCE, version: 2 });

    const paused = await api.call('POST', '/jobs/morning-digest/pause');
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ enabled: false, managedBy: SOURCE });
    const resumed = await api.call('POST', '/jobs/morning-digest/resume');
    expect(resumed.json).toMatchObject({ enabled: true, managedBy: SOURCE });
    const run = await api.call('POST', '/jobs/morning-digest/runs');
    expect(run.status).toBe(202);
    expect(run.json.job).toBe('morning-digest');

    const reconciled = await api.call('POST', '/reconcile', {});
    expect(reconciled.json.managed).toEqual([
      { name: 'morning-digest', managedBy: SOURCE },
      { name: 'nightly-eval', managedBy: SOURCE },
    ]);
  });

  const v2 = [
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
    taskJob('nightly-eval', { schedule: 'cron(0 2 * * ? *)', then: { onSuccess: ['evening-digest'] } }),
    promptJob('evening-digest'),
  ];

  it('Given an Update that changes one job and renames the other, Then the changed job is replaced, the new name created and the old one deleted', async () => {
    const answer = await onEvent(update(v2, v1));

    expect(answer).toEqual({ PhysicalResourceId: SOURCE, Data: { Applied: 2, Deleted: 1 } });
    const snapshot = await api.snapshot();
    expect(snapshot.jobs).toEqual(['evening-digest', 'nightly-eval']);
    expect(snapshot.schedules).toEqual(['evening-digest', 'nightly-eval']);
    expect(await job('nightly-eval')).toMatchObject({
      schedule: { expression: 'cron(0 2 * * ? *)' },
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
      then: { onSuccess: ['evening-digest'] },
      managedBy: SOURCE,
    });
  });

  it('Given an Update that fails on one job, Then it fails naming the job and the rule, and the rollback Update puts the previous jobs back', async () => {
    const bad = [
      taskJob('nightly-eval', { schedule: 'cron(0 3 * * ? *)' }),
      promptJob('added-then-rolled-back'),
      taskJob('yearly-broken', { config: { target: { type: 'lambda', functionArn: 'not-an-arn' } } }),
    ];

    await expect(onEvent(update(bad, v2))).rejects.toThrow(
      /job "yearly-broken": config\.target\.functionArn must be a Lambda function ARN/,
    );
    // What the failed update wrote before it stopped (jobs are applied in name order, chains first).
    expect((await job('nightly-eval')).schedule.expression).toBe('cron(0 3 * * ? *)');

    // CloudFormation rolls back with an Update whose new properties are the old ones.
    const rollback = await onEvent(update(v2, bad));

    expect(rollback).toEqual({ PhysicalResourceId: SOURCE, Data: { Applied: 2, Deleted: 1 } });
    expect((await api.snapshot()).jobs).toEqual(['evening-digest', 'nightly-eval']);
    expect(await job('nightly-eval')).toMatchObject({
      schedule: { expression: 'cron(0 2 * * ? *)' },
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
      then: { onSuccess: ['evening-digest'] },
    });
    // The same rollback again (a retry) changes nothing more.
    expect(await onEvent(update(v2, bad))).toEqual({
      PhysicalResourceId: SOURCE,
      Data: { Applied: 2, Deleted: 0 },
    });
  });

  it('Given a Delete, Then the jobs the stack manages are removed; an operator job is left alone; a repeated Delete succeeds', async () => {
    const own = await api.call('POST', '/jobs', { body: promptJob('operators-own') });
    expect(own.status).toBe(201);
    expect(own.json.managedBy).toBeUndefined();

    const answer = await onEvent(remove([...v2, promptJob('operators-own')]));

    expect(answer).toEqual({ PhysicalResourceId: SOURCE, Data: { Applied: 0, Deleted: 2 } });
    const snapshot = await api.snapshot();
    expect(snapshot.jobs).toEqual(['operators-own']);
    expect(snapshot.schedules).toEqual(['operators-own']);
    expect(await onEvent(remove(v2))).toEqual({
      PhysicalResourceId: SOURCE,
      Data: { Applied: 0, Deleted: 0 },
    });
  });
});
