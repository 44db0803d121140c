import { describe, expect, it } from 'vitest';
import { deadLettersTable, newestFirst } from '../../../cli/commands/dead-letters.ts';
import { duration, instant, table } from '../../../cli/output.ts';
import {
  jobDetails,
  jobsTable,
  reconcileView,
  runDetails,
  runsTable,
  statusView,
} from '../../../cli/render.ts';
import type { DeadLetter } from '../../../local/scheduler/model.ts';

const JOB = {
  name: 'nightly',
  kind: 'prompt',
  enabled: true,
  description: 'Morning\nprompt',
  schedule: {
    input: 'daily',
    expression: 'cron(0 0 * * ? *)',
    timezone: 'UTC',
    description: 'every day at 00:00',
  },
  nextRun: '2026-02-01T00:00:00.000Z',
  overlap: 'skip',
  tags: { team: 'ops' },
  config: { prompt: 'hi' },
  createdAt: '2026-01-31T09:00:00.000Z',
  updatedAt: '2026-01-31T09:00:00.000Z',
};

describe('output helpers', () => {
  it('Given rows with empty and multi-line cells, When tabulated, Then columns align and each row is one line', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['x', undefined],
          ['wide cell', 'two\nlines'],
        ],
      ),
    ).toBe(['A          LONGER', 'x          -', 'wide cell  two lines'].join('\n'));
  });

  it.each<[unknown, string | undefined]>([
    [0, '0 ms'],
    [850.4, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4m 05s'],
    [-1, undefined],
    ['12', undefined],
  ])('Given %j ms, When rendered, Then %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it.each<[unknown, string | undefined]>([
    ['2026-01-31T10:00:00+01:00', '2026-01-31 09:00:00Z'],
    ['not a date', 'not a date'],
    [undefined, undefined],
  ])('Given %j, When rendered as an instant, Then %s', (value, text) => {
    expect(instant(value)).toBe(text);
  });
});

describe('views of API answers', () => {
  it('Given jobs, When listed, Then one row per job with schedule and next run', () => {
    expect(jobsTable([JOB, { name: 'bare' }])).toBe(
      [
        'NAME     KIND    ENABLED  SCHEDULE                 NEXT RUN              DESCRIPTION',
        'nightly  prompt  yes      cron(0 0 * * ? *) (UTC)  2026-02-01 00:00:00Z  Morning prompt',
        'bare     -       -        -                        -                     -',
      ].join('\n'),
    );
    expect(jobsTable([])).toBe('no jobs');
  });

  it('Given a job, When detailed, Then present fields are listed and absent ones left out', () => {
    const text = jobDetails(JOB);

    expect(text).toContain('name:        nightly');
    expect(text).toContain('schedule:    daily');
    expect(text).toContain('expression:  cron(0 0 * * ? *)');
    expect(text).toContain('runs:        every day at 00:00');
    expect(text).toContain('next run:    2026-02-01 00:00:00Z');
    expect(text).toContain('tags:        team=ops');
    expect(text).toContain('config:      {"prompt":"hi"}');
    expect(text).not.toContain('flexible window');
  });

  it('Given runs, When listed, Then status, duration and error show per row', () => {
    const runs = [
      {
        runId: 'R2',
        job: 'nightly',
        status: 'failed',
        trigger: 'schedule',
        scheduledFor: '2026-01-31T09:00:00Z',
        durationMs: 1500,
        error: { type: 'WebhookError', message: 'answered 500' },
      },
      {
        runId: 'R1',
        job: 'nightly',
        status: 'skipped',
        trigger: 'manual',
        scheduledFor: '2026-01-31T08:00:00Z',
        reason: 'a run is in progress',
      },
    ];

    expect(runsTable(runs)).toBe(
      [
        'RUN  JOB      STATUS   TRIGGER   SCHEDULED FOR         DURATION  ERROR',
        'R2   nightly  failed   schedule  2026-01-31 09:00:00Z  1.5 s     WebhookError: answered 500',
        'R1   nightly  skipped  manual    2026-01-31 08:00:00Z  -         a run is in progress',
      ].join('\n'),
    );
    expect(runsTable([])).toBe('no runs');
  });

  it('Given a run that will be retried, When listed, Then its status says when the next attempt is expected', () => {
    const retrying = {
      runId: 'R3',
      job: 'nightly',
      status: 'retrying',
      trigger: 'schedule',
      scheduledFor: '2026-01-31T09:00:00Z',
      attempt: 1,
      error: { type: 'WebhookError', message: 'answered 500' },
      nextAttemptAt: '2026-01-31T09:01:02.500Z',
    };

    expect(runsTable([retrying])).toBe(
      [
        'RUN  JOB      STATUS                                        TRIGGER   SCHEDULED FOR         DURATION  ERROR',
        'R3   nightly  retrying (next attempt 2026-01-31 09:01:02Z)  schedule  2026-01-31 09:00:00Z  -         WebhookError: answered 500',
      ].join('\n'),
    );
    expect(runDetails(retrying)).toBe(
      [
        'run:           R3',
        'job:           nightly',
        'status:        retrying',
        'next attempt:  2026-01-31 09:01:02Z (estimate)',
        'trigger:       schedule',
        'scheduled for: 2026-01-31 09:00:00Z',
        'attempt:       1',
        'error:         WebhookError: answered 500',
      ].join('\n'),
    );
  });

  it('Given a job whose last run is retrying, When the status is shown, Then its last run says when it is retried', () => {
    const status = {
      jobs: [
        {
          ...JOB,
          health: 'failing',
          lastRun: { runId: 'R3', status: 'retrying', nextAttemptAt: '2026-01-31T09:01:00Z' },
        },
      ],
    };

    expect(statusView(status)).toContain('  retrying (next attempt 2026-01-31 09:01:00Z)');
  });

  it('Given a run, When detailed, Then its error is one line', () => {
    expect(
      runDetails({
        runId: 'R2',
        status: 'failed',
        duplicatesSuppressed: 0,
        error: { type: 'E', message: 'a\nb' },
      }),
    ).toBe(['run:    R2', 'status: failed', 'error:  E: a b'].join('\n'));
  });

  it('Given a status answer, When shown, Then health, running and last run per job, then totals', () => {
    const status = {
      jobs: [
        {
          ...JOB,
          health: 'failing',
          isExecuting: true,
          lastRun: { runId: 'R2', status: 'failed', finishedAt: '2026-01-31T09:00:02Z' },
        },
      ],
      totals: { jobs: 1, failing: 1 },
      generatedAt: '2026-01-31T09:00:05Z',
    };

    expect(statusView(status)).toBe(
      [
        'NAME     KIND    HEALTH   NOW      SCHEDULE                 NEXT RUN              LAST RUN',
        'nightly  prompt  failing  running  cron(0 0 * * ? *) (UTC)  2026-02-01 00:00:00Z  failed 2026-01-31 09:00:02Z',
        '',
        'totals: jobs 1, failing 1',
        'as of 2026-01-31 09:00:05Z',
      ].join('\n'),
    );
  });

  it('Given a reconcile answer, When shown, Then scalars first and each list as a section', () => {
    const answer = {
      dryRun: true,
      jobs: 3,
      schedules: 3,
      missing: ['a'],
      stray: [],
      differing: [{ name: 'b', fields: ['expression', 'timezone'] }],
      repaired: [],
      errors: [{ name: 'c', message: 'throttled\nby Scheduler' }],
    };

    expect(reconcileView(answer)).toBe(
      [
        'dryRun: true',
        'jobs: 3',
        'schedules: 3',
        'missing: 1',
        '  a',
        'stray: none',
        'differing: 1',
        '  b: expression, timezone',
        'repaired: none',
        'errors: 1',
        '  c: throttled by Scheduler',
      ].join('\n'),
    );
  });
});

describe('dead letters view', () => {
  const letter = (time: string, attempts: number): DeadLetter => ({
    scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork/nightly',
    groupName: 'tickwork',
    scheduleName: 'nightly',
    targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt',
    deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
    scheduledTime: time,
    input: `{"job":"nightly","scheduledTime":"${time}","padding":"${'x'.repeat(100)}"}`,
    attempts,
    executionId: 'e1',
    errorCode: 'HandlerError',
    errorMessage: 'webhook\nanswered 500',
    deadLetteredAt: time,
  });

  it('Given letters oldest first, When limited, Then the newest come first', () => {
    const letters = [
      letter('2026-01-31T09:00:00Z', 1),
      letter('2026-01-31T10:00:00Z', 2),
      letter('2026-01-31T11:00:00Z', 3),
    ];

    expect(newestFirst(letters, 2).map((item) => item.attempts)).toEqual([3, 2]);
    expect(newestFirst(letters).map((item) => item.attempts)).toEqual([3, 2, 1]);
  });

  it('Given a letter, When tabulated, Then the target is the function name and a long input is cut', () => {
    const [header, row] = deadLettersTable([letter('2026-01-31T09:00:00Z', 3)]).split('\n');

    expect(header).toMatch(/^SCHEDULED TIME\s+SCHEDULE\s+ATTEMPTS\s+LAST ERROR\s+TARGET\s+INPUT$/);
    expect(row).toContain(
      '2026-01-31 09:00:00Z  tickwork/nightly  3         HandlerError: webhook answered 500  tickwork-local-prompt',
    );
    expect(row).toMatch(/\{"job":"nightly".*…$/);
  });
});
