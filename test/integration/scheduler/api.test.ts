/**
 * The emulator's Scheduler API, operation by operation, through the unmodified
 * `@aws-sdk/client-scheduler` over HTTP: results, defaults, and every error by the name the SDK
 * surfaces (ValidationException, ResourceNotFoundException, ConflictException) with a message that
 * names the problem.
 */
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  paginateListScheduleGroups,
  paginateListSchedules,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/scheduler/index.ts';
import {
  advance,
  DLQ_ARN,
  errorOf,
  FUNCTION_ARN,
  type Harness,
  RecordingInvoker,
  ROLE_ARN,
  scheduleInput,
  startHarness,
  stopHarness,
} from './helpers.ts';

const NOW = new Date('2026-03-02T08:00:00Z');

let harness: Harness;
let invoker: RecordingInvoker;

beforeAll(async () => {
  invoker = new RecordingInvoker();
  const clock = new ManualClock(NOW);
  invoker.useClock(clock);
  harness = await startHarness({ invoker, clock });
});

afterAll(async () => {
  await stopHarness(harness);
});

describe('CreateSchedule and GetSchedule', () => {
  it('returns every member as stored, timestamps as dates and unknown target parameters kept', async () => {
    // Given a schedule with every member set (fractional epoch seconds included)
    const input: CreateScheduleCommandInput = {
      Name: 'full.schedule_1',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Description: 'weekday mornings',
      State: 'DISABLED',
      StartDate: new Date('2026-03-03T00:00:00.500Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
      KmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: ROLE_ARN,
        Input: '{"job":"report","at":"<aws.scheduler.scheduled-time>"}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: DLQ_ARN },
        SqsParameters: { MessageGroupId: 'g1' },
      },
    };

    // When it is created and read back
    const created = await harness.client.send(new CreateScheduleCommand(input));
    const got = await harness.client.send(new GetScheduleCommand({ Name: 'full.schedule_1' }));

    // Then the ARN names region, account, group and name, and every member round-trips
    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/full.schedule_1',
    );
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'full.schedule_1',
      GroupName: 'default',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Description: 'weekday mornings',
      State: 'DISABLED',
      StartDate: new Date('2026-03-03T00:00:00.500Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
      KmsKeyArn: input.KmsKeyArn,
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      CreationDate: NOW,
      LastModificationDate: NOW,
      Target: input.Target,
    });
  });

  it('fills in the service defaults for members left out', async () => {
    // Given a schedule with only the required members
    await harness.client.send(new CreateScheduleCommand(scheduleInput('minimal')));

    // When it is read
    const got = await harness.client.send(new GetScheduleCommand({ Name: 'minimal', GroupName: 'default' }));

    // Then time zone, state, completion action and retry policy have the service's defaults
    expect(got.ScheduleExpressionTimezone).toBe('UTC');
    expect(got.State).toBe('ENABLED');
    expect(got.ActionAfterCompletion).toBe('NONE');
    expect(got.Target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    expect(got.StartDate).toBeUndefined();
    expect(got.Description).toBeUndefined();
  });

  it('refuses a duplicate name with ConflictException but allows the name in another group', async () => {
    // Given a schedule "dup" in the default group and a group "other"
    await harness.client.send(new CreateScheduleCommand(scheduleInput('dup')));
    await harness.client.send(new CreateScheduleGroupCommand({ Name: 'other' }));

    // When "dup" is created again in default, then in "other"
    const error = await errorOf(harness.client.send(new CreateScheduleCommand(scheduleInput('dup'))));
    const inOther = await harness.client.send(
      new CreateScheduleCommand(scheduleInput('dup', { GroupName: 'other' })),
    );

    // Then the first is a 409 ConflictException naming the schedule, the second succeeds
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toContain('Schedule dup already exists');
    expect(inOther.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/other/dup');
  });

  it('treats a retried create with the same ClientToken as the same request', async () => {
    const input = scheduleInput('idempotent', { ClientToken: 'token-1' });
    const first = await harness.client.send(new CreateScheduleCommand(input));
    const again = await harness.client.send(new CreateScheduleCommand(input));
    const otherToken = await errorOf(
      harness.client.send(new CreateScheduleCommand({ ...input, ClientToken: 'token-2' })),
    );
    expect(again.ScheduleArn).toBe(first.ScheduleArn);
    expect(otherToken.name).toBe('ConflictException');
  });

  it('refuses a schedule in a group that does not exist with ResourceNotFoundException', async () => {
    const error = await errorOf(
      harness.client.send(new CreateScheduleCommand(scheduleInput('orphan', { GroupName: 'no-such-group' }))),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toContain('Schedule group no-such-group does not exist');
  });

  it.each([
    ['a missing schedule', { Name: 'absent' }, 'Schedule absent does not exist'],
    [
      'a schedule in a missing group',
      { Name: 'minimal', GroupName: 'nope' },
      'Schedule group nope does not exist',
    ],
  ])('answers GetSchedule for %s with ResourceNotFoundException', async (_case, input, message) => {
    const error = await errorOf(harness.client.send(new GetScheduleCommand(input)));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain(message);
  });
});

/** Invalid CreateSchedule inputs (also sent as UpdateSchedule): the case, the input, message fragments. */
const base = scheduleInput('validated');
const cases: Array<[string, CreateScheduleCommandInput, string[]]> = [
  [
    'both day fields set',
    { ...base, ScheduleExpression: 'cron(0 9 * * MON-FRI *)' },
    [
      'Invalid Schedule Expression cron(0 9 * * MON-FRI *)',
      'exactly one of day-of-month and day-of-week must be ?',
    ],
  ],
  [
    'a rate in seconds',
    { ...base, ScheduleExpression: 'rate(30 seconds)' },
    ['Invalid Schedule Expression rate(30 seconds)', 'rate unit "seconds"'],
  ],
  [
    'hour 25',
    { ...base, ScheduleExpression: 'cron(0 25 * * ? *)' },
    ['Invalid Schedule Expression cron(0 25 * * ? *)', 'hours "25"', 'must be 0-23'],
  ],
  [
    'a malformed at()',
    { ...base, ScheduleExpression: 'at(2026-03-05 10:00)' },
    ['Invalid Schedule Expression at(2026-03-05 10:00)', 'expected at(yyyy-mm-ddThh:mm:ss)'],
  ],
  [
    'an at() with month 13',
    { ...base, ScheduleExpression: 'at(2026-13-01T00:00:00)' },
    ['the month must be 01-12'],
  ],
  ['a five-field cron', { ...base, ScheduleExpression: 'cron(0 9 * * ?)' }, ['needs exactly six fields']],
  [
    'an unknown time zone',
    { ...base, ScheduleExpressionTimezone: 'Mars/Olympus' },
    ["Invalid ScheduleExpressionTimezone 'Mars/Olympus'", 'unknown time zone'],
  ],
  [
    'no ScheduleExpression',
    { ...base, ScheduleExpression: undefined },
    ["Value null at 'ScheduleExpression' failed to satisfy constraint: Member must not be null"],
  ],
  ['no Target', { ...base, Target: undefined }, ["Value null at 'Target'", 'Member must not be null']],
  [
    'a Target without Arn',
    { ...base, Target: { RoleArn: ROLE_ARN } as CreateScheduleCommandInput['Target'] },
    ["Value null at 'Target.Arn'"],
  ],
  [
    'a Target without RoleArn',
    { ...base, Target: { Arn: FUNCTION_ARN } as CreateScheduleCommandInput['Target'] },
    ["Value null at 'Target.RoleArn'"],
  ],
  [
    'a RoleArn that is not an IAM role',
    { ...base, Target: { Arn: FUNCTION_ARN, RoleArn: 'my-role' } },
    ["Value 'my-role' at 'Target.RoleArn'", 'regular expression pattern'],
  ],
  [
    'no FlexibleTimeWindow',
    { ...base, FlexibleTimeWindow: undefined },
    ["Value null at 'FlexibleTimeWindow'"],
  ],
  [
    'an unknown window mode',
    { ...base, FlexibleTimeWindow: { Mode: 'SOMETIMES' as 'OFF' } },
    ["Value 'SOMETIMES' at 'FlexibleTimeWindow.Mode'", 'enum value set: [OFF, FLEXIBLE]'],
  ],
  [
    'FLEXIBLE without MaximumWindowInMinutes',
    { ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE' } },
    ['MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE'],
  ],
  [
    'OFF with MaximumWindowInMinutes',
    { ...base, FlexibleTimeWindow: { Mode: 'OFF', MaximumWindowInMinutes: 5 } },
    ['MaximumWindowInMinutes must not be set when FlexibleTimeWindow.Mode is OFF'],
  ],
  [
    'a window of 0 minutes',
    { ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 0 } },
    ["Value '0' at 'FlexibleTimeWindow.MaximumWindowInMinutes'", 'greater than or equal to 1'],
  ],
  [
    'a window of 1441 minutes',
    { ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } },
    ["Value '1441' at 'FlexibleTimeWindow.MaximumWindowInMinutes'", 'less than or equal to 1440'],
  ],
  [
    'a name with a space',
    { ...base, Name: 'bad name' },
    ["Value 'bad name' at 'Name'", 'regular expression pattern: ^[0-9a-zA-Z\\-_.]+$'],
  ],
  ['a 65-character name', { ...base, Name: 'n'.repeat(65) }, ["at 'Name'", 'have length between 1 and 64']],
  ['an invalid group name', { ...base, GroupName: 'a/b' }, ["Value 'a/b' at 'GroupName'"]],
  [
    'an unknown State',
    { ...base, State: 'PAUSED' as 'ENABLED' },
    ["Value 'PAUSED' at 'State'", 'enum value set: [ENABLED, DISABLED]'],
  ],
  [
    'an unknown ActionAfterCompletion',
    { ...base, ActionAfterCompletion: 'ARCHIVE' as 'NONE' },
    ["Value 'ARCHIVE' at 'ActionAfterCompletion'", 'enum value set: [NONE, DELETE]'],
  ],
  [
    '186 retry attempts',
    {
      ...base,
      Target: { ...base.Target, RetryPolicy: { MaximumRetryAttempts: 186 } },
    } as CreateScheduleCommandInput,
    ["Value '186' at 'Target.RetryPolicy.MaximumRetryAttempts'", 'less than or equal to 185'],
  ],
  [
    '-1 retry attempts',
    {
      ...base,
      Target: { ...base.Target, RetryPolicy: { MaximumRetryAttempts: -1 } },
    } as CreateScheduleCommandInput,
    ["Value '-1' at 'Target.RetryPolicy.MaximumRetryAttempts'", 'greater than or equal to 0'],
  ],
  [
    'an event age of 59 s',
    {
      ...base,
      Target: { ...base.Target, RetryPolicy: { MaximumEventAgeInSeconds: 59 } },
    } as CreateScheduleCommandInput,
    ["Value '59' at 'Target.RetryPolicy.MaximumEventAgeInSeconds'", 'greater than or equal to 60'],
  ],
  [
    'an event age of 86401 s',
    {
      ...base,
      Target: { ...base.Target, RetryPolicy: { MaximumEventAgeInSeconds: 86_401 } },
    } as CreateScheduleCommandInput,
    ["Value '86401' at 'Target.RetryPolicy.MaximumEventAgeInSeconds'", 'less than or equal to 86400'],
  ],
  [
    'a dead-letter ARN that is not an SQS queue',
    {
      ...base,
      Target: { ...base.Target, DeadLetterConfig: { Arn: FUNCTION_ARN } },
    } as CreateScheduleCommandInput,
    ["at 'Target.DeadLetterConfig.Arn'", 'regular expression pattern'],
  ],
  [
    'a recurring StartDate more than 5 minutes ago',
    { ...base, StartDate: new Date(NOW.getTime() - 6 * 60_000) },
    ['The StartDate you specify cannot be earlier than 5 minutes ago', 'StartDate 2026-03-02T07:54:00.000Z'],
  ],
  [
    'an EndDate before the StartDate',
    { ...base, StartDate: new Date('2026-04-01T00:00:00Z'), EndDate: new Date('2026-03-31T00:00:00Z') },
    ['The EndDate you specify must be later than the StartDate'],
  ],
  [
    'a 513-character description',
    { ...base, Description: 'd'.repeat(513) },
    ["at 'Description'", 'have length between 0 and 512'],
  ],
  [
    'a ClientToken with characters outside its pattern',
    { ...base, ClientToken: 'token with spaces!' },
    ["Value 'token with spaces!' at 'ClientToken'", 'regular expression pattern: ^[a-zA-Z0-9\\-_]+$'],
  ],
  [
    'a 65-character ClientToken',
    { ...base, ClientToken: 't'.repeat(65) },
    ["at 'ClientToken'", 'have length between 1 and 64'],
  ],
  [
    'a KmsKeyArn that is not a KMS key or alias',
    { ...base, KmsKeyArn: 'arn:aws:s3:::my-bucket' },
    ["Value 'arn:aws:s3:::my-bucket' at 'KmsKeyArn'", 'regular expression pattern'],
  ],
  [
    'a 1601-character Target.Arn',
    {
      ...base,
      Target: { Arn: `${FUNCTION_ARN}${'x'.repeat(1601 - FUNCTION_ARN.length)}`, RoleArn: ROLE_ARN },
    },
    ["at 'Target.Arn'", 'have length between 1 and 1600'],
  ],
  [
    'a Target.Input over 256 KB',
    { ...base, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: `"${'x'.repeat(262_144)}"` } },
    ["at 'Target.Input'", 'have length between 1 and 262144'],
  ],
  [
    'a ScheduleExpression over 256 characters',
    { ...base, ScheduleExpression: `rate(${'1'.repeat(250)} hours)` },
    ["at 'ScheduleExpression'", 'have length between 1 and 256'],
  ],
  [
    'a ScheduleExpressionTimezone over 50 characters',
    { ...base, ScheduleExpressionTimezone: `America/${'X'.repeat(43)}` },
    ["at 'ScheduleExpressionTimezone'", 'have length between 1 and 50'],
  ],
  [
    'an expression with trailing whitespace',
    { ...base, ScheduleExpression: 'cron(0 9 ? * MON-FRI *) ' },
    [
      "Invalid Schedule Expression 'cron(0 9 ? * MON-FRI *) '",
      'ScheduleExpression must not start or end with whitespace',
    ],
  ],
  [
    'an expression with leading whitespace',
    { ...base, ScheduleExpression: ' rate(1 hour)' },
    [
      "Invalid Schedule Expression ' rate(1 hour)'",
      'ScheduleExpression must not start or end with whitespace',
    ],
  ],
];

describe('validation (ValidationException, message naming the field, value and rule)', () => {
  it.each(cases)('refuses %s', async (_case, input, fragments) => {
    // When the invalid schedule is created
    const error = await errorOf(harness.client.send(new CreateScheduleCommand(input)));

    // Then the SDK surfaces a 400 ValidationException whose message names the problem
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    for (const fragment of fragments) expect(error.message).toContain(fragment);

    // And nothing was created
    const name = input.Name ?? 'validated';
    if (/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) {
      const missing = await errorOf(harness.client.send(new GetScheduleCommand({ Name: name })));
      expect(missing.name).toBe('ResourceNotFoundException');
    }
  });

  it('reports every violation of one request together', async () => {
    const error = await errorOf(
      harness.client.send(
        new CreateScheduleCommand({
          Name: 'many-problems',
          ScheduleExpression: 'rate(1 hour)',
          Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 500 } },
          FlexibleTimeWindow: { Mode: 'FLEXIBLE' },
          State: 'ON' as 'ENABLED',
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).toContain("'State'");
    expect(error.message).toContain('MaximumRetryAttempts');
    expect(error.message).toContain('MaximumWindowInMinutes is required');
  });

  it('accepts an at() whose StartDate is long past, since one-time schedules ignore StartDate', async () => {
    const created = await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('once-with-old-start', {
          ScheduleExpression: 'at(2026-03-10T09:00:00)',
          StartDate: new Date('2020-01-01T00:00:00Z'),
        }),
      ),
    );
    expect(created.ScheduleArn).toContain('once-with-old-start');
  });
});

describe('UpdateSchedule', () => {
  it('replaces the whole schedule: members left out return to their defaults', async () => {
    // Given a schedule with a description, DISABLED state, retry policy and input
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('replace-me', {
          Description: 'before',
          State: 'DISABLED',
          ScheduleExpressionTimezone: 'Asia/Tokyo',
          Target: {
            Arn: FUNCTION_ARN,
            RoleArn: ROLE_ARN,
            Input: '{"v":1}',
            RetryPolicy: { MaximumRetryAttempts: 2 },
          },
        }),
      ),
    );
    await advance(harness, 60_000);

    // When it is updated with only the required members
    const updated = await harness.client.send(
      new UpdateScheduleCommand({
        Name: 'replace-me',
        ScheduleExpression: 'cron(30 6 * * ? *)',
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
        FlexibleTimeWindow: { Mode: 'OFF' },
      }),
    );
    const got = await harness.client.send(new GetScheduleCommand({ Name: 'replace-me' }));

    // Then the new expression is stored and everything else is back to defaults; CreationDate stays
    expect(updated.ScheduleArn).toBe(got.Arn);
    expect(got.ScheduleExpression).toBe('cron(30 6 * * ? *)');
    expect(got.Description).toBeUndefined();
    expect(got.State).toBe('ENABLED');
    expect(got.ScheduleExpressionTimezone).toBe('UTC');
    expect(got.Target).toEqual({
      Arn: FUNCTION_ARN,
      RoleArn: ROLE_ARN,
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    });
    expect(got.CreationDate?.getTime()).toBeLessThan(got.LastModificationDate?.getTime() ?? 0);
  });

  it('answers an update of a missing schedule with ResourceNotFoundException', async () => {
    const error = await errorOf(
      harness.client.send(new UpdateScheduleCommand(scheduleInput('never-created'))),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('Schedule never-created does not exist');
  });

  describe('validates an update like a create', () => {
    const original = scheduleInput('update-target', { Description: 'unchanged' });
    beforeAll(async () => {
      await harness.client.send(new CreateScheduleCommand(original));
    });

    it.each(cases.filter(([label]) => !label.includes('name')))(
      'refuses %s and leaves the schedule as it was',
      async (_case, input, fragments) => {
        // When the schedule is updated with the invalid member
        const error = await errorOf(
          harness.client.send(new UpdateScheduleCommand({ ...input, Name: 'update-target' })),
        );

        // Then the SDK surfaces a 400 ValidationException naming the member, and nothing changed
        expect(error.name).toBe('ValidationException');
        expect(error.$metadata?.httpStatusCode).toBe(400);
        for (const fragment of fragments) expect(error.message).toContain(fragment);
        const got = await harness.client.send(new GetScheduleCommand({ Name: 'update-target' }));
        expect(got.ScheduleExpression).toBe(original.ScheduleExpression);
        expect(got.Description).toBe('unchanged');
      },
    );
  });

  it('validates an update like a create (a cron field out of range)', async () => {
    const error = await errorOf(
      harness.client.send(
        new UpdateScheduleCommand(scheduleInput('minimal', { ScheduleExpression: 'cron(0 25 * * ? *)' })),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('hours "25"');
  });
});

describe('DeleteSchedule', () => {
  it('deletes, after which the schedule is gone', async () => {
    await harness.client.send(new CreateScheduleCommand(scheduleInput('short-lived')));
    await harness.client.send(new DeleteScheduleCommand({ Name: 'short-lived' }));
    const error = await errorOf(harness.client.send(new GetScheduleCommand({ Name: 'short-lived' })));
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('answers a delete of a missing schedule with ResourceNotFoundException', async () => {
    const error = await errorOf(harness.client.send(new DeleteScheduleCommand({ Name: 'short-lived' })));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('ListSchedules', () => {
  beforeAll(async () => {
    await harness.client.send(new CreateScheduleGroupCommand({ Name: 'listing' }));
    for (const [name, state] of [
      ['report-a', 'ENABLED'],
      ['report-b', 'DISABLED'],
      ['report-c', 'ENABLED'],
      ['cleanup', 'ENABLED'],
    ] as const) {
      await harness.client.send(
        new CreateScheduleCommand(scheduleInput(name, { GroupName: 'listing', State: state })),
      );
    }
  });

  it('pages one schedule at a time with paginateListSchedules, in a stable order, without repeats', async () => {
    // When every page of size 1 is read for the group
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateListSchedules(
      { client: harness.client, pageSize: 1 },
      { GroupName: 'listing' },
    )) {
      pages.push(page.Schedules?.length ?? 0);
      for (const schedule of page.Schedules ?? []) names.push(schedule.Name ?? '');
    }

    // Then there were four pages of one, sorted by name
    expect(pages).toEqual([1, 1, 1, 1]);
    expect(names).toEqual(['cleanup', 'report-a', 'report-b', 'report-c']);
  });

  it('returns summaries with ARN, group, state, dates and target ARN', async () => {
    const page = await harness.client.send(
      new ListSchedulesCommand({ GroupName: 'listing', NamePrefix: 'cleanup' }),
    );
    expect(page.Schedules).toEqual([
      {
        Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/listing/cleanup',
        Name: 'cleanup',
        GroupName: 'listing',
        State: 'ENABLED',
        CreationDate: expect.any(Date),
        LastModificationDate: expect.any(Date),
        Target: { Arn: FUNCTION_ARN },
      },
    ]);
    expect(page.NextToken).toBeUndefined();
  });

  it.each([
    [{ GroupName: 'listing', NamePrefix: 'report-' }, ['report-a', 'report-b', 'report-c']],
    [{ GroupName: 'listing', State: 'DISABLED' as const }, ['report-b']],
    [{ GroupName: 'listing', State: 'ENABLED' as const, NamePrefix: 'report' }, ['report-a', 'report-c']],
    [{ GroupName: 'listing', NamePrefix: 'nothing-starts-like-this' }, []],
  ])('filters by %j', async (filter, expected) => {
    const page = await harness.client.send(new ListSchedulesCommand(filter));
    expect(page.Schedules?.map((schedule) => schedule.Name)).toEqual(expected);
  });

  it('answers a GroupName that names no group with ResourceNotFoundException, not an empty page', async () => {
    // Given no group called ghost-group (the API reference lists ResourceNotFoundException for ListSchedules)
    // When schedules are listed with it as the filter
    const error = await errorOf(harness.client.send(new ListSchedulesCommand({ GroupName: 'ghost-group' })));

    // Then the SDK surfaces a 404 ResourceNotFoundException naming the group
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('Schedule group ghost-group does not exist.');
  });

  it('lists schedules of all groups when no group is given', async () => {
    const page = await harness.client.send(new ListSchedulesCommand({ NamePrefix: 'dup' }));
    expect(page.Schedules?.map((schedule) => `${schedule.GroupName}/${schedule.Name}`)).toEqual([
      'default/dup',
      'other/dup',
    ]);
  });

  it.each([
    [{ MaxResults: 101 }, "Value '101' at 'MaxResults'"],
    [{ MaxResults: 0 }, "Value '0' at 'MaxResults'"],
    [{ State: 'PAUSED' as 'ENABLED' }, "Value 'PAUSED' at 'State'"],
    [{ NextToken: 'not-a-token' }, "Invalid NextToken 'not-a-token'"],
    [{ NamePrefix: 'bad prefix' }, "Value 'bad prefix' at 'NamePrefix' failed to satisfy constraint"],
    [
      { NamePrefix: 'p'.repeat(65) },
      "at 'NamePrefix' failed to satisfy constraint: Member must have length between 1 and 64",
    ],
    [{ GroupName: 'no/slash' }, "Value 'no/slash' at 'ScheduleGroup'"],
  ])('refuses %j with ValidationException', async (input, message) => {
    const error = await errorOf(harness.client.send(new ListSchedulesCommand(input)));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(message);
  });
});

describe('schedule groups', () => {
  it('creates, reads and refuses a duplicate group', async () => {
    const created = await harness.client.send(new CreateScheduleGroupCommand({ Name: 'jobs' }));
    const got = await harness.client.send(new GetScheduleGroupCommand({ Name: 'jobs' }));
    const duplicate = await errorOf(harness.client.send(new CreateScheduleGroupCommand({ Name: 'jobs' })));

    expect(created.ScheduleGroupArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs');
    expect(got).toMatchObject({ Arn: created.ScheduleGroupArn, Name: 'jobs', State: 'ACTIVE' });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(duplicate.name).toBe('ConflictException');
    expect(duplicate.message).toContain('Schedule group jobs already exists');
  });

  it('always has the default group, which cannot be deleted', async () => {
    const got = await harness.client.send(new GetScheduleGroupCommand({ Name: 'default' }));
    const error = await errorOf(harness.client.send(new DeleteScheduleGroupCommand({ Name: 'default' })));
    expect(got.Arn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule-group/default');
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('default schedule group cannot be deleted');
  });

  it('lists groups with a prefix and pages them', async () => {
    await harness.client.send(new CreateScheduleGroupCommand({ Name: 'team-a' }));
    await harness.client.send(new CreateScheduleGroupCommand({ Name: 'team-b' }));
    const all = await harness.client.send(new ListScheduleGroupsCommand({}));
    const names: string[] = [];
    for await (const page of paginateListScheduleGroups(
      { client: harness.client, pageSize: 1 },
      { NamePrefix: 'team-' },
    )) {
      for (const group of page.ScheduleGroups ?? []) names.push(group.Name ?? '');
    }
    expect(all.ScheduleGroups?.map((group) => group.Name)).toContain('default');
    expect(names).toEqual(['team-a', 'team-b']);
  });

  it('deletes a group together with its schedules', async () => {
    // Given a group with two schedules
    await harness.client.send(new CreateScheduleGroupCommand({ Name: 'doomed' }));
    await harness.client.send(new CreateScheduleCommand(scheduleInput('one', { GroupName: 'doomed' })));
    await harness.client.send(new CreateScheduleCommand(scheduleInput('two', { GroupName: 'doomed' })));

    // When the group is deleted
    await harness.client.send(new DeleteScheduleGroupCommand({ Name: 'doomed' }));

    // Then the group and its schedules are gone
    const group = await errorOf(harness.client.send(new GetScheduleGroupCommand({ Name: 'doomed' })));
    const schedule = await errorOf(
      harness.client.send(new GetScheduleCommand({ Name: 'one', GroupName: 'doomed' })),
    );
    const listed = await harness.client.send(new ListSchedulesCommand({ MaxResults: 100 }));
    expect(group.name).toBe('ResourceNotFoundException');
    expect(schedule.name).toBe('ResourceNotFoundException');
    expect(listed.Schedules?.filter((summary) => summary.GroupName === 'doomed')).toEqual([]);
  });

  it('answers a missing group with ResourceNotFoundException and a bad name with ValidationException', async () => {
    const missing = await errorOf(harness.client.send(new DeleteScheduleGroupCommand({ Name: 'ghost' })));
    const badName = await errorOf(harness.client.send(new CreateScheduleGroupCommand({ Name: 'no spaces' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toContain('Schedule group ghost does not exist');
    expect(badName.name).toBe('ValidationException');
    expect(badName.message).toContain("Value 'no spaces' at 'Name'");
  });
});

describe('tags (schedule groups only)', () => {
  const arn = 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/tagged';

  it('tags at creation, adds and overwrites with TagResource, removes with UntagResource', async () => {
    // Given a group created with two tags
    await harness.client.send(
      new CreateScheduleGroupCommand({
        Name: 'tagged',
        Tags: [
          { Key: 'team', Value: 'ops' },
          { Key: 'cost center', Value: '42' },
        ],
      }),
    );

    // When a tag is overwritten and one added, then one removed
    await harness.client.send(
      new TagResourceCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'env', Value: 'local' },
        ],
      }),
    );
    const afterTag = await harness.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    await harness.client.send(
      new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['cost center', 'env'] }),
    );
    const afterUntag = await harness.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));

    // Then the tags follow each step
    expect(afterTag.Tags).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'cost center', Value: '42' },
      { Key: 'env', Value: 'local' },
    ]);
    expect(afterUntag.Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
  });

  it.each([
    [
      'a schedule ARN',
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/minimal',
      'ValidationException',
      "at 'ResourceArn'",
    ],
    [
      'a missing group',
      'arn:aws:scheduler:us-east-1:000000000000:schedule-group/ghost',
      'ResourceNotFoundException',
      'schedule-group/ghost does not exist',
    ],
    [
      'another account',
      'arn:aws:scheduler:us-east-1:111111111111:schedule-group/tagged',
      'ResourceNotFoundException',
      'does not exist',
    ],
  ])('refuses to tag %s', async (_case, resourceArn, name, message) => {
    const error = await errorOf(
      harness.client.send(
        new TagResourceCommand({ ResourceArn: resourceArn, Tags: [{ Key: 'k', Value: 'v' }] }),
      ),
    );
    expect(error.name).toBe(name);
    expect(error.message).toContain(message);
  });

  it('refuses a tag value longer than 256 characters', async () => {
    const error = await errorOf(
      harness.client.send(
        new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'note', Value: 'v'.repeat(257) }] }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("at 'Tags.1.member.Value'");
    expect(error.message).toContain('have length between 0 and 256');
  });

  it.each([
    [
      'a key longer than 128 characters',
      ['k'.repeat(129)],
      ["at 'TagKeys.1'", 'have length between 1 and 128'],
    ],
    ['an empty key', ['team', ''], ["at 'TagKeys.2'", 'have length between 1 and 128']],
  ])('refuses UntagResource with %s, removing nothing', async (_case, tagKeys, fragments) => {
    const before = await harness.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    const error = await errorOf(
      harness.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: tagKeys })),
    );
    expect(error.name).toBe('ValidationException');
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    const after = await harness.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    expect(after.Tags).toEqual(before.Tags);
  });

  it('refuses a tag key longer than 128 characters', async () => {
    const error = await errorOf(
      harness.client.send(
        new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('have length between 1 and 128');
  });
});

describe('wire format', () => {
  it('sends errors with a status the SDK maps and a message it surfaces', async () => {
    const error = await errorOf(harness.client.send(new GetScheduleCommand({ Name: 'nothing-here' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('Schedule nothing-here does not exist in schedule group default.');
  });
});
