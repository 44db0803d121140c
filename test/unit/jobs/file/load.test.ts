import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobsFileError } from '../../../../shared/jobs/file/errors.ts';
import { loadJobsFile } from '../../../../shared/jobs/file/load.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const BUS_TARGET =
  'target: {type: eventbridge, eventBusName: default, source: com.example, detailType: Tick}';

describe('loadJobsFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickwork-jobs-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (text: string, name = 'tickwork.jobs.yaml') => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const problemsOf = (path: string, options: { stage?: string } = {}): string[] => {
    try {
      loadJobsFile(path, { now: NOW, ...options });
    } catch (error) {
      if (error instanceof JobsFileError) return error.lines();
      throw error;
    }
    throw new Error('the file loaded');
  };

  it('Given a file with comments and two jobs, When it is loaded, Then each job is the API definition in file order', async () => {
    const path = await file(
      [
        "# the team's schedules",
        'jobs:',
        '  - name: nightly   # a comment after a value',
        '    kind: task',
        '    schedule: "  cron(0 2 * * ? *) "',
        `    config: {${BUS_TARGET}}`,
        '  - name: hourly',
        '    kind: task',
        '    schedule: rate(1 hour)',
        '    timezone: Europe/Berlin',
        `    config: {${BUS_TARGET}}`,
      ].join('\n'),
    );

    const loaded = loadJobsFile(path, { now: NOW });

    expect(loaded.files).toEqual([path]);
    expect(loaded.jobs.map((job) => job.name)).toEqual(['nightly', 'hourly']);
    // Parsed by the API's schema: the schedule is trimmed as a request's would be.
    expect(loaded.jobs[0]?.schedule).toBe('cron(0 2 * * ? *)');
    expect(loaded.jobs[1]).toMatchObject({ timezone: 'Europe/Berlin', kind: 'task' });
  });

  it.each([
    [
      'a bad schedule',
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: rate(0 minutes)',
        `    config: {${BUS_TARGET}}`,
      ],
      /tickwork\.jobs\.yaml:4:15: jobs\[0\]\.schedule: invalid rate value "0"/,
    ],
    [
      'an unknown field',
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        '    colour: blue',
        `    config: {${BUS_TARGET}}`,
      ],
      /tickwork\.jobs\.yaml:5:13: jobs\[0\]\.colour: is not a known field; unknown fields are rejected/,
    ],
    [
      'a bad config field, deep',
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        '    config:',
        '      target:',
        '        type: http',
        '        url: 12',
        '        signingSecret: s',
      ],
      /tickwork\.jobs\.yaml:8:14: jobs\[0\]\.config\.target\.url: must be a URL string; got number 12/,
    ],
    [
      'an unknown kind',
      ['jobs:', '  - name: a', '    kind: cronjob', '    schedule: daily'],
      /tickwork\.jobs\.yaml:3:11: jobs\[0\]\.kind: must be one of "prompt"/,
    ],
    [
      'an endDate in the past (a rule that needs the clock)',
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        '    endDate: "2020-01-01T00:00:00Z"',
        `    config: {${BUS_TARGET}}`,
      ],
      /tickwork\.jobs\.yaml:5:14: jobs\[0\]\.endDate: must be in the future; got 2020-01-01T00:00:00.000Z/,
    ],
    [
      'a job that is not a map',
      ['jobs:', '  - just a string'],
      /tickwork\.jobs\.yaml:2:5: jobs\[0\]: the job must be an object|tickwork\.jobs\.yaml:2:5: jobs\[0\]: the job definition must be an object/,
    ],
    [
      'YAML that does not parse',
      ['jobs:', '  - name: [unclosed'],
      /tickwork\.jobs\.yaml:\d+:\d+: is not valid YAML/,
    ],
    [
      'a key the file does not have',
      ['job:', '  - name: a'],
      /tickwork\.jobs\.yaml:2:3: job: is not a key of a jobs file/,
    ],
  ])(
    'Given %s, When the file is loaded, Then the problem names file, line, column, field and rule',
    async (_, lines, expected) => {
      const path = await file(lines.join('\n'));

      const problems = problemsOf(path);

      expect(
        problems.some((line) => expected.test(line)),
        problems.join('\n'),
      ).toBe(true);
    },
  );

  it('Given two jobs of one name, When the file is loaded, Then the second is refused and the first is named', async () => {
    const job = ['    kind: task', '    schedule: daily', `    config: {${BUS_TARGET}}`];
    const path = await file(['jobs:', '  - name: twin', ...job, '  - name: twin', ...job].join('\n'));

    expect(problemsOf(path)).toEqual([
      `${path}:6:11: jobs[1].name: names job "twin" again (first at ${path}:2); job names are unique`,
    ]);
  });

  it('Given the same name in two files of a directory, When the directory is loaded, Then it is a duplicate', async () => {
    const job = [
      'jobs:',
      '  - name: twin',
      '    kind: task',
      '    schedule: daily',
      `    config: {${BUS_TARGET}}`,
    ];
    await file(job.join('\n'), 'a.yaml');
    await file(job.join('\n'), 'b.yml');
    await file('not: yaml of ours', 'notes.txt');

    const problems = problemsOf(dir);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /b\.yml:2:11: jobs\[0\]\.name: names job "twin" again \(first at .*a\.yaml:2\)/,
    );
  });

  it('Given a stage override, When loaded with that stage, Then it is merged (RFC 7396) before validation', async () => {
    const path = await file(
      [
        'jobs:',
        '  - name: nightly',
        '    kind: task',
        '    schedule: daily',
        '    tags: {team: ml, tier: gold}',
        '    config:',
        '      target: {type: eventbridge, eventBusName: default, source: com.example, detailType: Tick}',
        'stages:',
        '  prod:',
        '    nightly:',
        '      timezone: Europe/Berlin',
        '      tags: {tier: null}',
        '      config: {target: {eventBusName: prod-bus}}',
      ].join('\n'),
    );

    const [base] = loadJobsFile(path, { now: NOW }).jobs;
    const [prod] = loadJobsFile(path, { now: NOW, stage: 'prod' }).jobs;

    expect(base).toMatchObject({
      tags: { team: 'ml', tier: 'gold' },
      config: { target: { eventBusName: 'default' } },
    });
    expect(base?.timezone).toBeUndefined();
    expect(prod).toMatchObject({
      timezone: 'Europe/Berlin',
      tags: { team: 'ml' },
      config: { target: { type: 'eventbridge', eventBusName: 'prod-bus', source: 'com.example' } },
    });
    expect(prod?.tags).not.toHaveProperty('tier');
  });

  it('Given stages with and without overrides, When loaded, Then every declared stage is listed, sorted', async () => {
    const path = await file(
      [
        'jobs:',
        '  - name: nightly',
        '    kind: task',
        '    schedule: daily',
        '    config:',
        '      target: {type: eventbridge, eventBusName: default, source: com.example, detailType: Tick}',
        'stages:',
        '  prod:',
        '    nightly: {enabled: false}',
        '  dev: {}',
      ].join('\n'),
    );

    expect(loadJobsFile(path, { now: NOW }).stages).toEqual(['dev', 'prod']);
  });

  it('Given an override that breaks a rule, When loaded with its stage, Then the problem points into the override', async () => {
    const path = await file(
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        `    config: {${BUS_TARGET}}`,
        'stages:',
        '  prod:',
        '    a: {timezone: Mars/Base}',
      ].join('\n'),
    );

    expect(problemsOf(path, { stage: 'prod' })).toEqual([
      expect.stringMatching(
        new RegExp(`^${path}:8:19: stages\\.prod\\.a\\.timezone: unknown time zone "Mars/Base"`),
      ),
    ]);
    // Without the stage, the override does not apply.
    expect(loadJobsFile(path, { now: NOW }).jobs).toHaveLength(1);
  });

  it('Given an override of a job the file does not define, When loaded with any stage, Then it is an error', async () => {
    const path = await file(
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        `    config: {${BUS_TARGET}}`,
        'stages:',
        '  prod:',
        '    ghost: {enabled: false}',
        '    a: {name: b}',
      ].join('\n'),
    );

    expect(problemsOf(path)).toEqual([
      `${path}:8:12: stages.prod.ghost: overrides job "ghost", which the file does not define; known jobs: a`,
      `${path}:9:15: stages.prod.a.name: cannot be overridden: a stage changes fields of a job, not which job it is`,
    ]);
  });

  it('Given jobs of the file chaining in a cycle, When the file is loaded, Then each link of the cycle is refused', async () => {
    const job = (name: string, next: string) => [
      `  - name: ${name}`,
      '    kind: task',
      '    schedule: daily',
      `    config: {${BUS_TARGET}}`,
      `    then: {onSuccess: [${next}]}`,
    ];
    const path = await file(['jobs:', ...job('a', 'b'), ...job('b', 'a'), ...job('c', 'c')].join('\n'));

    const problems = problemsOf(path);

    expect(problems).toEqual([
      `${path}:6:24: jobs[0].then.onSuccess[0]: would form a cycle: a → b → a; a chain must not lead back to its job`,
      `${path}:11:24: jobs[1].then.onSuccess[0]: would form a cycle: b → a → b; a chain must not lead back to its job`,
      `${path}:16:24: jobs[2].then.onSuccess[0]: would form a cycle: c → c; a chain must not lead back to its job`,
    ]);
  });

  it('Given a chain to a job outside the file, When the file is loaded, Then it loads (the API checks that target)', async () => {
    const path = await file(
      [
        'jobs:',
        '  - name: a',
        '    kind: task',
        '    schedule: daily',
        `    config: {${BUS_TARGET}}`,
        '    then: {onFailure: [elsewhere]}',
      ].join('\n'),
    );

    expect(loadJobsFile(path, { now: NOW }).jobs[0]?.then).toEqual({ onFailure: ['elsewhere'] });
  });

  it('Given a path that does not exist, or a directory without YAML, When loaded, Then the error names it', async () => {
    expect(problemsOf(join(dir, 'missing.yaml'))).toEqual([
      `${join(dir, 'missing.yaml')}: cannot be read: ENOENT`,
    ]);
    expect(problemsOf(dir)).toEqual([`${dir}: is a directory without a *.yaml or *.yml file`]);
  });

  it('Given an empty file, When it is loaded, Then it has no jobs', async () => {
    expect(loadJobsFile(await file('# nothing yet\n'), { now: NOW }).jobs).toEqual([]);
  });
});
