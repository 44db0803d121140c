/**
 * The watching CLI's pure parts: where output goes (width, colour), tables fitted to a terminal,
 * `--output`, what `runs --follow` prints for what it saw, and the flags of follow, watch and bulk
 * pause/resume.
 */
import { describe, expect, it } from 'vitest';
import { parseJobsArgs } from '../../../cli/commands/jobs.ts';
import { matches } from '../../../cli/commands/jobs-toggle.ts';
import { parseRunsArgs } from '../../../cli/commands/runs.ts';
import { parseStatusArgs } from '../../../cli/commands/status.ts';
import { RunWatch, transitionLine } from '../../../cli/follow.ts';
import { table } from '../../../cli/output.ts';
import { jobsTable, runsTable, statusView } from '../../../cli/render.ts';
import { outputFormat, PLAIN, type TableStyle, terminalOf } from '../../../cli/terminal.ts';
import { UsageError } from '../../../cli/usage-error.ts';
import type { Run } from '../../../client/index.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what is tested
const ANSI = /\u001b\[[0-9;]*m/g;
const strip = (text: string) => text.replace(ANSI, '');

const RUN_ID = '01JHZQ7M3R0000000000000000';

function run(overrides: Partial<Run>): Run {
  return {
    runId: RUN_ID,
    job: 'nightly',
    trigger: 'manual',
    status: 'pending',
    scheduledFor: '2026-01-31T09:00:00.000Z',
    attempt: 1,
    duplicatesSuppressed: 0,
    ...overrides,
  } as Run;
}

describe('where output goes', () => {
  it.each<
    [string, { isTTY?: boolean; columns?: number }, Record<string, string>, number | undefined, boolean]
  >([
    ['a terminal', { isTTY: true, columns: 80 }, {}, 80, true],
    ['a terminal with NO_COLOR', { isTTY: true, columns: 80 }, { NO_COLOR: '1' }, 80, false],
    ['a terminal with an empty NO_COLOR', { isTTY: true, columns: 80 }, { NO_COLOR: '' }, 80, true],
    ['a pipe', {}, {}, undefined, false],
    ['a pipe with FORCE_COLOR', {}, { FORCE_COLOR: '1' }, undefined, true],
    ['a pipe with FORCE_COLOR=0', {}, { FORCE_COLOR: '0' }, undefined, false],
    ['a pipe with FORCE_COLOR and NO_COLOR', {}, { FORCE_COLOR: '1', NO_COLOR: 'x' }, undefined, false],
  ])('Given %s, When the terminal is read, Then width %s and colour %s', (_, stream, env, width, colour) => {
    expect(terminalOf(stream, env)).toEqual({ width, colour });
  });
});

describe('tables that fit the terminal', () => {
  const rows = [
    ['a', 'short', 'x'.repeat(60)],
    ['b', 'a somewhat longer text', 'y'],
  ];

  it('Given no width (a pipe), When tabulated, Then nothing is cut', () => {
    const text = table(['ID', 'NOTE', 'DESCRIPTION'], rows, { flexible: [1, 2] });
    expect(text).toContain('x'.repeat(60));
    expect(text).not.toContain('…');
  });

  it('Given a width of 60, When tabulated, Then the widest free-text column is cut with an ellipsis and every line fits', () => {
    const text = table(['ID', 'NOTE', 'DESCRIPTION'], rows, { width: 60, flexible: [1, 2] });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('x'.repeat(10));
    expect(text).toContain('…');
    // The narrower free-text column keeps its text: the widest is cut first.
    expect(text).toContain('a somewhat longer text');
  });

  it('Given fixed columns wider than the terminal, When tabulated, Then they print whole', () => {
    const text = table(['RUN'], [[RUN_ID]], { width: 10, flexible: [] });
    expect(text).toContain(RUN_ID);
  });

  it('Given a colour terminal, When runs are tabulated, Then status words are coloured and columns align as without colour', () => {
    const runs = [
      run({ status: 'succeeded' }),
      run({ status: 'failed', runId: '01JHZQ7M3R0000000000000001' }),
    ];
    const colour: TableStyle = { wide: false, terminal: { width: undefined, colour: true } };
    const painted = runsTable(runs, colour);
    expect(painted).toContain('\u001b[32msucceeded\u001b[0m');
    expect(painted).toContain('\u001b[31mfailed\u001b[0m');
    expect(strip(painted)).toBe(runsTable(runs, PLAIN));
  });

  it('Given no colour, When tabulated, Then there is no escape sequence', () => {
    expect(runsTable([run({ status: 'failed' })], PLAIN)).not.toMatch(ANSI);
  });

  it('Given wide, When jobs, runs and status are tabulated, Then more columns show', () => {
    const wide: TableStyle = { wide: true, terminal: { width: undefined, colour: false } };
    const job = { name: 'n', kind: 'prompt', enabled: false, pauseNote: 'INC-42', tags: { team: 'ops' } };
    expect(jobsTable([job], PLAIN)).not.toContain('PAUSE NOTE');
    expect(jobsTable([job], wide)).toMatch(/TAGS.*PAUSE NOTE/);
    expect(jobsTable([job], wide)).toContain('team=ops');
    expect(runsTable([run({})], wide)).toMatch(/STARTED +FINISHED/);
    expect(statusView({ jobs: [{ name: 'n', health: 'ok' }] }, wide)).toContain('LAST ERROR');
  });

  it('Given a paused job with a note, When status is shown, Then the note has a column', () => {
    const text = statusView({ jobs: [{ name: 'n', health: 'paused', pauseNote: 'vendor outage' }] });
    expect(text).toMatch(/PAUSE NOTE/);
    expect(text).toContain('vendor outage');
    expect(statusView({ jobs: [{ name: 'n', health: 'ok' }] })).not.toContain('PAUSE NOTE');
  });
});

describe('--output', () => {
  it.each<[Record<string, unknown>, string]>([
    [{}, 'table'],
    [{ output: 'wide' }, 'wide'],
    [{ json: true }, 'json'],
    [{ json: true, output: 'json' }, 'json'],
    [{ output: 'jsonl' }, 'jsonl'],
  ])('Given %j, When read, Then %s', (flags, format) => {
    expect(outputFormat(flags)).toBe(format);
  });

  it('Given --json and --output table, When read, Then a usage error', () => {
    expect(() => outputFormat({ json: true, output: 'table' })).toThrow(UsageError);
  });
});

describe('what runs --follow prints', () => {
  it('Given a primed watch, When runs change, Then the transitions seen are returned, with no made-up step', () => {
    const watch = new RunWatch();
    watch.prime([run({ status: 'pending' })]);
    const now = new Date('2026-01-31T09:00:05Z');
    // The run went pending → running → succeeded between two looks: one transition, as seen.
    const changes = watch.observe(
      [
        run({ status: 'succeeded', finishedAt: '2026-01-31T09:00:03.000Z', durationMs: 1200 }),
        run({
          runId: '01JHZQ7M3R0000000000000009',
          status: 'running',
          startedAt: '2026-01-31T09:00:04.000Z',
        }),
      ],
      now,
    );
    expect(changes.map((change) => [change.from, change.to])).toEqual([
      ['pending', 'succeeded'],
      [null, 'running'],
    ]);
    expect(watch.observe([run({ status: 'succeeded' })], now)).toEqual([]);
    expect(watch.open()).toEqual(['01JHZQ7M3R0000000000000009']);
  });

  it('Given transitions, When printed, Then one line each: time, job, run, old → new, duration or error, origin', () => {
    const watch = new RunWatch();
    const [failed, child] = watch.observe(
      [
        run({
          status: 'failed',
          finishedAt: '2026-01-31T09:00:03.000Z',
          durationMs: 850,
          error: { type: 'DeliveryError', message: 'HTTP 500' },
        }),
        run({
          runId: '01JHZQ7M3R0000000000000009',
          trigger: 'fan-out',
          parentRunId: RUN_ID,
          status: 'pending',
        }),
      ],
      new Date('2026-01-31T09:00:05Z'),
    );
    expect(transitionLine(failed as never, false)).toBe(
      `2026-01-31 09:00:03Z  nightly  ${RUN_ID}  new → failed  850 ms  DeliveryError: HTTP 500  (manual)`,
    );
    expect(transitionLine(child as never, false)).toBe(
      `2026-01-31 09:00:05Z  nightly  01JHZQ7M3R0000000000000009  new → pending  (child of ${RUN_ID})`,
    );
    expect(transitionLine(failed as never, true)).toContain('\u001b[31mfailed\u001b[0m');
  });
});

describe('the flags of follow, watch and bulk pause/resume', () => {
  it.each<[string, () => unknown, string]>([
    ['runs --follow with a run id', () => parseRunsArgs(['--follow', RUN_ID]), 'takes no run id'],
    ['runs --follow --limit', () => parseRunsArgs(['--follow', '--limit', '5']), '--limit does not apply'],
    ['runs --interval alone', () => parseRunsArgs(['--interval', '1']), '--interval applies to --follow'],
    ['runs --interval 0', () => parseRunsArgs(['--follow', '--interval', '0']), 'from 0.1 to 3600'],
    ['status --interval alone', () => parseStatusArgs(['--interval', '1']), '--interval applies to --watch'],
    [
      'status --output xml',
      () => parseStatusArgs(['--output', 'xml']),
      'must be one of table, wide, json, jsonl',
    ],
    [
      'jobs pause without a name or selector',
      () => parseJobsArgs(['pause']),
      'select them with --kind or --tag',
    ],
    ['jobs resume without a name or selector', () => parseJobsArgs(['resume']), 'missing <name>'],
    [
      'jobs pause with a name and a selector',
      () => parseJobsArgs(['pause', 'a', '--kind', 'prompt']),
      'not both',
    ],
    ['jobs pause with a bad tag', () => parseJobsArgs(['pause', '--tag', 'team']), 'KEY=VALUE'],
    [
      'jobs pause with a long note',
      () => parseJobsArgs(['pause', 'a', '--note', 'x'.repeat(281)]),
      '--note must be',
    ],
    [
      'jobs pause with an escape in the note',
      () => parseJobsArgs(['pause', 'a', '--note', '\u001b[2J']),
      'printable',
    ],
    ['jobs resume with a note', () => parseJobsArgs(['resume', 'a', '--note', 'x']), 'unknown option --note'],
  ])('Given `%s`, When parsed, Then a usage error says so', (_, parse, message) => {
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('Given --follow with filters and an interval, When parsed, Then the watch is set up with them', () => {
    expect(
      parseRunsArgs(['--follow', '--job', 'nightly', '--status', 'failed', '--interval', '0.2']),
    ).toMatchObject({
      follow: { job: 'nightly', status: 'failed', intervalMs: 200, output: 'table' },
    });
  });

  it('Given selectors, When parsed, Then the selection has them and the note', () => {
    expect(
      parseJobsArgs([
        'pause',
        '--kind',
        'prompt',
        '--tag',
        'team=ops',
        '--tag',
        'tier=2',
        '--note',
        'INC-42',
      ]),
    ).toMatchObject({ selection: { kind: 'prompt', tags: { team: 'ops', tier: '2' } }, note: 'INC-42' });
  });

  it.each<[string, { kind: 'prompt' | 'task'; tags: Record<string, string>; state?: 'cancelled' }, boolean]>([
    ['kind and all tags', { kind: 'prompt', tags: { team: 'ops', tier: '2', x: 'y' } }, true],
    ['another kind', { kind: 'task', tags: { team: 'ops', tier: '2' } }, false],
    ['a tag missing', { kind: 'prompt', tags: { team: 'ops' } }, false],
    [
      'a cancelled one-time job',
      { kind: 'prompt', tags: { team: 'ops', tier: '2' }, state: 'cancelled' },
      false,
    ],
  ])('Given a job with %s, When matched, Then %s', (_, job, expected) => {
    expect(matches(job as never, { kind: 'prompt', tags: { team: 'ops', tier: '2' } })).toBe(expected);
  });
});
