import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importLoom } from '../../../../shared/jobs/file/loom.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const SAMPLE = fileURLToPath(new URL('../../../../examples/loom/scheduler.yaml', import.meta.url));

describe('importLoom', () => {
  it('Given the sample config, When it is converted, Then each convertible schedule is a task job dispatching to the bus', async () => {
    const converted = importLoom(parse(await readFile(SAMPLE, 'utf8')), 'scheduler.yaml', { now: NOW });

    expect(converted.jobs.map((job) => job.name)).toEqual(['nightly-eval', 'inbox-triage', 'weekly-digest']);
    expect(converted.jobs[0]).toEqual({
      name: 'nightly-eval',
      kind: 'task',
      description: 'loom schedule "nightly-eval" (goal)',
      schedule: '0 2 * * *',
      timezone: 'Europe/Berlin',
      config: {
        target: {
          type: 'eventbridge',
          eventBusName: 'default',
          source: 'loom.scheduler',
          detailType: 'loom.goal',
        },
        payload: {
          dispatchType: 'goal',
          goal: { objective: 'Run the nightly evaluation suite and file a report', budget_usd: 5 },
          subject: 'evals.nightly',
        },
      },
    });
    expect(converted.jobs[1]).toMatchObject({
      schedule: 'rate(15 minutes)',
      config: {
        target: { detailType: 'loom.task' },
        payload: { dispatchType: 'task', task: { handler: 'support.triage' } },
      },
      expand: { url: 'http://127.0.0.1:8789/contexts/inboxes', maxChildren: 20 },
    });
    expect(converted.jobs[2]).toMatchObject({
      name: 'weekly-digest',
      schedule: '30 7 * * MON',
      enabled: false,
    });
  });

  it('Given the sample config, When it is converted, Then everything left out is listed, in the output too', async () => {
    const converted = importLoom(parse(await readFile(SAMPLE, 'utf8')), 'scheduler.yaml', { now: NOW });

    expect(converted.notConverted).toEqual([
      { what: 'inbox-triage.jitter_seconds', reason: 'has no counterpart in a task job; left out' },
      {
        what: 'weekly digest',
        reason: 'renamed to "weekly-digest" (job names are 1-64 letters, digits, "-", "_" and ".")',
      },
      {
        what: 'heartbeat',
        reason:
          "interval_seconds 90 is not a whole number of minutes; EventBridge Scheduler's rates count minutes",
      },
      {
        what: 'cleanup',
        reason: 'dispatch_type must be goal or task; got "shell" (only those two dispatch to the bus)',
      },
      {
        what: 'per-tenant-report',
        reason:
          'expand_from.sql has no counterpart: a fan-out reads its contexts from a url or a function_arn (answering {"contexts": [...]})',
      },
    ]);
    for (const item of converted.notConverted)
      expect(converted.text).toContain(`#   ${item.what}: ${item.reason}`);
    // The output is a jobs file of exactly the converted jobs.
    expect(parse(converted.text)).toEqual({ jobs: converted.jobs });
  });

  it.each([
    [
      'a crontab both of whose day fields are set',
      { cron: '0 9 1 * MON' },
      /the converted job breaks the API's rules: .*schedule/,
    ],
    [
      'both cron and interval_seconds',
      { cron: '0 9 * * *', interval_seconds: 60 },
      /has both cron and interval_seconds/,
    ],
    ['neither', {}, /needs cron \(a crontab\) or interval_seconds/],
    ['a goal that is not a map', { cron: '0 9 * * *', goal: 'ship it' }, /goal must be a map/],
  ])('Given a schedule with %s, When converted, Then it is listed as not converted', (_, fields, reason) => {
    const converted = importLoom(
      { schedules: [{ name: 'odd', dispatch_type: 'goal', ...fields }] },
      'loom.yaml',
      { now: NOW },
    );

    expect(converted.jobs).toEqual([]);
    expect(converted.notConverted).toEqual([{ what: 'odd', reason: expect.stringMatching(reason) }]);
  });

  it('Given something that is not a loom config, When converted, Then nothing converts and it says why', () => {
    const converted = importLoom({ timers: [] }, 'other.yaml', { now: NOW });

    expect(converted.jobs).toEqual([]);
    expect(converted.notConverted).toEqual([
      {
        what: 'other.yaml',
        reason: 'is not a loom scheduler config: expected a map with a `schedules:` list',
      },
    ]);
  });

  it('Given the bus and source as options, When converted, Then they win over the config', () => {
    const converted = importLoom(
      {
        event_bus: 'ignored',
        schedules: [{ name: 'a', cron: '0 9 * * *', dispatch_type: 'task', task: {} }],
      },
      'loom.yaml',
      { now: NOW, eventBusName: 'orders', source: 'com.example.loom' },
    );

    expect(converted.jobs[0]?.config).toMatchObject({
      target: { eventBusName: 'orders', source: 'com.example.loom' },
    });
  });
});
