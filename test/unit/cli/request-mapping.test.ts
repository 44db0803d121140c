import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiRequest } from '../../../cli/api-client.ts';
import { nextPageHint, shellWord } from '../../../cli/api-command.ts';
import { parseBackfillArgs } from '../../../cli/commands/backfill.ts';
import { parseCancelArgs } from '../../../cli/commands/cancel.ts';
import { parseDeadLettersArgs } from '../../../cli/commands/dead-letters.ts';
import { parseEventsArgs } from '../../../cli/commands/events.ts';
import { parseJobsArgs } from '../../../cli/commands/jobs.ts';
import { parseReconcileArgs } from '../../../cli/commands/reconcile.ts';
import { parseRunArgs } from '../../../cli/commands/run.ts';
import { parseRunsArgs } from '../../../cli/commands/runs.ts';
import { parseStatusArgs } from '../../../cli/commands/status.ts';
import { parseSyncArgs } from '../../../cli/commands/sync.ts';
import { UsageError } from '../../../cli/usage-error.ts';
import type { TickworkClient } from '../../../client/index.ts';
import { RUN_STATUSES } from '../../../shared/jobs/model.ts';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';
import { recordingClient } from '../../support/recording-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'tickwork-cli-unit-'));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, '{"prompt": "from a file"}');
const jobFile = join(dir, 'job.json');
writeFileSync(jobFile, JSON.stringify({ name: 'filed', kind: 'prompt', schedule: 'daily' }));
const namelessJobFile = join(dir, 'nameless.json');
writeFileSync(namelessJobFile, JSON.stringify({ kind: 'prompt', schedule: 'daily' }));
const arrayFile = join(dir, 'array.json');
writeFileSync(arrayFile, '[1]');
const paramsFile = join(dir, 'params.json');
writeFileSync(paramsFile, '{"topic": "from a file", "depth": 2}');

/** Valid run ids (ULIDs). */
const RUN_ID = '01JCDT6Q7M3H8W4R5N9X2B1KZE';

type Invocation =
  | { readonly request: ApiRequest }
  | { readonly call?: (client: TickworkClient) => Promise<unknown> }
  | { readonly help: string };

/**
 * The request a parse leads to: the one it built, or the one its typed-client call puts on the wire
 * (recorded, with an answer every call can read; query and body only when sent).
 */
async function requestOf(parsed: Invocation): Promise<ApiRequest> {
  if ('help' in parsed) throw new Error('expected a request, got help');
  if ('request' in parsed) return parsed.request;
  if (parsed.call === undefined) throw new Error('expected a call, got none');
  const { client, sent } = recordingClient();
  await parsed.call(client);
  expect(sent).toHaveLength(1);
  return sent[0] as ApiRequest;
}

describe('tickwork jobs: arguments to requests', () => {
  it.each<[string, string[], ApiRequest]>([
    [
      'add with every flag',
      [
        'add',
        'nightly',
        '--kind',
        'prompt',
        '--schedule',
        'cron(0 9 * * ? *)',
        '--tz',
        'Europe/Berlin',
        '--description',
        'Morning prompt',
        '--disabled',
        '--run-immediately',
        '--overlap',
        'allow',
        '--flexible-window',
        '15',
        '--start',
        '2026-01-01T00:00:00Z',
        '--end',
        '2026-12-31T23:59:59+01:00',
        '--tag',
        'team=ops',
        '--tag',
        'tier=',
        '--config',
        '{"prompt":"hi","target":{"type":"webhook"}}',
      ],
      {
        method: 'POST',
        path: '/jobs',
        body: {
          name: 'nightly',
          kind: 'prompt',
          schedule: 'cron(0 9 * * ? *)',
          timezone: 'Europe/Berlin',
          description: 'Morning prompt',
          enabled: false,
          runImmediately: true,
          overlap: 'allow',
          flexibleWindowMinutes: 15,
          startDate: '2026-01-01T00:00:00Z',
          endDate: '2026-12-31T23:59:59+01:00',
          tags: { team: 'ops', tier: '' },
          config: { prompt: 'hi', target: { type: 'webhook' } },
        },
      },
    ],
    [
      'add with only the required flags',
      ['add', 'j1', '--kind=prompt', '--schedule=rate(5 minutes)'],
      { method: 'POST', path: '/jobs', body: { name: 'j1', kind: 'prompt', schedule: 'rate(5 minutes)' } },
    ],
    [
      'add with --config-file',
      ['add', 'j1', '--kind', 'prompt', '--schedule', 'daily', '--config-file', configFile],
      {
        method: 'POST',
        path: '/jobs',
        body: { name: 'j1', kind: 'prompt', schedule: 'daily', config: { prompt: 'from a file' } },
      },
    ],
    [
      'add --replace',
      ['add', 'j.1', '--kind', 'prompt', '--schedule', 'daily', '--replace'],
      { method: 'PUT', path: '/jobs/j.1', body: { name: 'j.1', kind: 'prompt', schedule: 'daily' } },
    ],
    [
      'add --file',
      ['add', '--file', jobFile],
      { method: 'POST', path: '/jobs', body: { name: 'filed', kind: 'prompt', schedule: 'daily' } },
    ],
    [
      'add --file --replace with the same name given',
      ['add', 'filed', '--file', jobFile, '--replace'],
      { method: 'PUT', path: '/jobs/filed', body: { name: 'filed', kind: 'prompt', schedule: 'daily' } },
    ],
    [
      'add --file without a name in the file',
      ['add', 'named', '--file', namelessJobFile],
      { method: 'POST', path: '/jobs', body: { name: 'named', kind: 'prompt', schedule: 'daily' } },
    ],
    [
      'list with every filter',
      [
        'list',
        '--kind',
        'prompt',
        '--name',
        'night',
        '--enabled',
        'false',
        '--limit',
        '5',
        '--cursor',
        'abc',
      ],
      {
        method: 'GET',
        path: '/jobs',
        query: { kind: 'prompt', name: 'night', enabled: 'false', limit: '5', cursor: 'abc' },
      },
    ],
    // No query at all: the API's own page size (20) applies.
    ['list without filters', ['list'], { method: 'GET', path: '/jobs' }],
    [
      'list --all from a cursor, in pages of the --limit',
      ['list', '--all', '--limit', '50', '--cursor', 'c9'],
      { method: 'GET', path: '/jobs', query: { limit: '50', cursor: 'c9' } },
    ],
    ['get', ['get', 'nightly'], { method: 'GET', path: '/jobs/nightly' }],
    ['delete', ['delete', 'nightly'], { method: 'DELETE', path: '/jobs/nightly' }],
    [
      'delete removing the links of the jobs that chain to it',
      ['delete', 'nightly', '--unlink-chains'],
      { method: 'DELETE', path: '/jobs/nightly', query: { unlinkChains: 'true' } },
    ],
    [
      'update removing the chained jobs',
      ['update', 'nightly', '--clear', 'then'],
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
      { method: 'PATCH', path: '/jobs/nightly', body: { then: null } },
    ],
    [
      'update of two fields',
      ['update', 'nightly', '--schedule', 'hourly', '--description', 'new'],
      { method: 'PATCH', path: '/jobs/nightly', body: { schedule: 'hourly', description: 'new' } },
    ],
    [
      'update with --clear by flag and by field name',
      [
        'update',
        'nightly',
        '--clear',
        'description',
        '--clear',
        'flexibleWindowMinutes',
        '--clear',
        'tz',
        '--clear',
        'end',
      ],
      {
        method: 'PATCH',
        path: '/jobs/nightly',
        body: { description: null, flexibleWindowMinutes: null, timezone: null, endDate: null },
      },
    ],
    [
      'update --disabled and tags',
      ['update', 'nightly', '--disabled', '--tag', 'a=b'],
      { method: 'PATCH', path: '/jobs/nightly', body: { enabled: false, tags: { a: 'b' } } },
    ],
    [
      'update of one tag: only that tag changes (JSON Merge Patch)',
      ['update', 'nightly', '--tag', 'b=2'],
      { method: 'PATCH', path: '/jobs/nightly', body: { tags: { b: '2' } } },
    ],
    [
      'update removing a tag with an empty value, changing another',
      ['update', 'nightly', '--tag', 'a=', '--tag', 'c=3'],
      { method: 'PATCH', path: '/jobs/nightly', body: { tags: { a: null, c: '3' } } },
    ],
    [
      'update --clear tags: every tag goes',
      ['update', 'nightly', '--clear', 'tags'],
      { method: 'PATCH', path: '/jobs/nightly', body: { tags: null } },
    ],
    [
      'update with a switch set by =false and =true',
      ['update', 'nightly', '--enabled=false', '--run-immediately=true', '--schedule', 'hourly'],
      {
        method: 'PATCH',
        path: '/jobs/nightly',
        body: { enabled: false, runImmediately: true, schedule: 'hourly' },
      },
    ],
    [
      'update --enabled and a config merge patch',
      ['update', 'nightly', '--enabled', '--config', '{"metadata": null}'],
      { method: 'PATCH', path: '/jobs/nightly', body: { enabled: true, config: { metadata: null } } },
    ],
  ])('Given `jobs %s`, When parsed, Then the request is built', async (_, args, request) => {
    expect(await requestOf(parseJobsArgs(args) as Invocation)).toEqual(request);
  });

  it.each<[string, string[], Record<string, unknown>]>([
    ['pause', ['pause', 'nightly'], { subcommand: 'pause', selection: { name: 'nightly', tags: {} } }],
    ['resume', ['resume', 'nightly'], { subcommand: 'resume', selection: { name: 'nightly', tags: {} } }],
    [
      'pause by kind and tag with a note',
      ['pause', '--kind', 'prompt', '--tag', 'team=ml', '--note', 'migrating'],
      { subcommand: 'pause', selection: { kind: 'prompt', tags: { team: 'ml' } }, note: 'migrating' },
    ],
  ])('Given `jobs %s`, When parsed, Then the jobs it selects are named', (_, args, selection) => {
    expect(parseJobsArgs(args)).toMatchObject(selection);
  });

  it.each<[string, string[], string]>([
    [
      'no subcommand',
      [],
      'missing subcommand; expected one of add, list, get, update, delete, pause, resume',
    ],
    [
      'an unknown subcommand',
      ['rm', 'x'],
      'unknown subcommand "rm"; expected one of add, list, get, update, delete, pause, resume',
    ],
    ['add without a name', ['add', '--kind', 'prompt', '--schedule', 'daily'], 'missing <name>'],
    [
      'add without --kind',
      ['add', 'j', '--schedule', 'daily'],
      `--kind is required (one of ${JOB_KINDS.join(', ')})`,
    ],
    [
      'add without --schedule',
      ['add', 'j', '--kind', 'prompt'],
      '--schedule is required, e.g. --schedule "rate(5 minutes)"',
    ],
    [
      'add with an unknown kind',
      ['add', 'j', '--kind', 'shell', '--schedule', 'daily'],
      `--kind must be one of ${JOB_KINDS.join(', ')}, got "shell"`,
    ],
    [
      'add with a bad name',
      ['add', 'no spaces', '--kind', 'prompt', '--schedule', 'daily'],
      'job name "no spaces" must be 1-64 characters of letters, digits, "-", "_" and "." (the Scheduler schedule name rule)',
    ],
    [
      'add with an unknown flag',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--every', '5'],
      'unknown option --every; the options are --kind, --schedule, --tz,',
    ],
    [
      'add with a misspelled flag',
      ['add', 'j', '--kind', 'prompt', '--shedule', 'daily'],
      'unknown option --shedule; did you mean --schedule?',
    ],
    [
      'add with a flag where its value should be',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--description', '--json'],
      '--description needs a value (TEXT)',
    ],
    [
      'add with a flag given twice',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--tz', 'UTC', '--tz', 'Europe/Berlin'],
      '--tz is given more than once',
    ],
    [
      'add with a switch given a value',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--disabled=yes'],
      '--disabled takes no value (or =true, =false); got "--disabled=yes"',
    ],
    [
      'add with bad JSON in --config',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config', '{prompt:'],
      '--config is not valid JSON',
    ],
    [
      'add with a JSON array in --config',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config', '[]'],
      '--config must be a JSON object, got an array',
    ],
    [
      'add with --config and --config-file',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config', '{}', '--config-file', configFile],
      '--config and --config-file cannot be given together',
    ],
    [
      'add with a missing --config-file',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config-file', join(dir, 'none.json')],
      'none.json: no such file',
    ],
    [
      'add with a tag without =',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--tag', 'team'],
      '--tag must be KEY=VALUE with a non-empty key, got "team"',
    ],
    [
      'add with a tag without key',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--tag', '=x'],
      '--tag must be KEY=VALUE with a non-empty key, got "=x"',
    ],
    [
      'add with a tag twice',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--tag', 'a=1', '--tag', 'a=2'],
      '--tag a is given more than once',
    ],
    [
      'add with a non-numeric window',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--flexible-window', 'ten'],
      '--flexible-window must be a whole number from 1 to 1440, got "ten"',
    ],
    [
      'add with a start without zone',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--start', '2026-01-01T00:00:00'],
      '--start must be an ISO-8601 instant with a time zone',
    ],
    [
      'add with an impossible end',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--end', '2026-13-45T00:00:00Z'],
      '--end must be an ISO-8601 instant',
    ],
    [
      'add with a start on a day the month does not have',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--start', '2026-02-30T09:00:00Z'],
      '--start must be an ISO-8601 instant',
    ],
    [
      'add with an overlap that is not one',
      ['add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--overlap', 'queue'],
      '--overlap must be one of skip, allow, got "queue"',
    ],
    [
      'add --file with a definition flag',
      ['add', '--file', jobFile, '--schedule', 'daily'],
      '--schedule cannot be combined with --file',
    ],
    [
      'add --file with a different name',
      ['add', 'other', '--file', jobFile],
      'the job name "other" differs from "name": "filed"',
    ],
    ['add --file with no name anywhere', ['add', '--file', namelessJobFile], 'has no "name" string'],
    ['add --file with an array', ['add', 'x', '--file', arrayFile], 'must be a JSON object, got an array'],
    ['update with nothing to change', ['update', 'j'], 'nothing to update; give at least one option'],
    [
      'update with --enabled and --disabled',
      ['update', 'j', '--enabled', '--disabled'],
      '--enabled and --disabled cannot be given together',
    ],
    [
      'update clearing a field that cannot be',
      ['update', 'j', '--clear', 'schedule'],
      '--clear schedule: not a field that can be cleared',
    ],
    [
      'update clearing and setting a field',
      ['update', 'j', '--clear', 'description', '--description', 'x'],
      '--clear description conflicts with a new value for it',
    ],
    ['update --kind', ['update', 'j', '--kind', 'prompt'], 'unknown option --kind'],
    [
      'update setting and clearing the tags',
      ['update', 'j', '--tag', 'a=1', '--clear', 'tags'],
      '--clear tags conflicts with a new value for it',
    ],
    ['update with a tag without =', ['update', 'j', '--tag', 'a'], '--tag must be KEY=VALUE'],
    ['a misspelled subcommand', ['lst'], 'unknown subcommand "lst"; did you mean list?'],
    [
      'list with a name prefix that no job name can start with',
      ['list', '--name', 'a b'],
      '--name must be the start of a job name (1-64 characters of letters, digits, "-", "_" and "."), got "a b"',
    ],
    [
      'list with a bad --enabled',
      ['list', '--enabled', 'yes'],
      '--enabled must be one of true, false, got "yes"',
    ],
    [
      'list with --limit 0',
      ['list', '--limit', '0'],
      '--limit must be a whole number from 1 to 100, got "0"',
    ],
    ['list with a positional', ['list', 'x'], 'unexpected argument "x"; expected none'],
    [
      'list with an empty cursor',
      ['list', '--cursor', ''],
      '--cursor must be the cursor of a "more:" line (1-2048 characters), got an empty value',
    ],
    [
      'list with a cursor longer than any the API gives',
      ['list', '--cursor', 'x'.repeat(2049)],
      '--cursor must be the cursor of a "more:" line (1-2048 characters), got 2049 characters',
    ],
    ['get without a name', ['get'], 'missing <name>'],
    ['delete with two names', ['delete', 'a', 'b'], 'unexpected argument "b"; expected <name>'],
    ['pause with a bad name', ['pause', 'a/b'], 'job name "a/b" must be 1-64 characters'],
  ])('Given `jobs` with %s, When parsed, Then a UsageError names the problem', (_, args, message) => {
    let error: unknown;
    try {
      parseJobsArgs(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(message);
  });

  it('Given --help on a subcommand, When parsed, Then its help lists its flags', () => {
    const parsed = parseJobsArgs(['add', '--help']);

    expect(parsed).toEqual({ help: expect.stringContaining('--flexible-window <MIN>') });
  });
});

describe('target options', () => {
  it.each<[string, string[], Record<string, string>, unknown]>([
    ['the default: the data directory is looked for when the command runs', [], {}, {}],
    ['the data dir from the environment', [], { TICKWORK_DATA_DIR: '/srv/tw' }, { dataDir: '/srv/tw' }],
    [
      'the flag over the environment',
      ['--data-dir', 'mine'],
      { TICKWORK_DATA_DIR: '/srv/tw' },
      { dataDir: 'mine' },
    ],
    [
      'a deployed URL and region from the environment',
      [],
      { TICKWORK_API_URL: 'https://x.example', AWS_REGION: 'eu-west-1' },
      { url: 'https://x.example', region: 'eu-west-1' },
    ],
    [
      'flags over the environment',
      ['--url', 'https://y.example', '--region', 'us-west-2'],
      { TICKWORK_API_URL: 'https://x.example', AWS_REGION: 'eu-west-1' },
      { url: 'https://y.example', region: 'us-west-2' },
    ],
    ['AWS_DEFAULT_REGION as a fallback', [], { AWS_DEFAULT_REGION: 'ap-south-1' }, { region: 'ap-south-1' }],
  ])('Given %s, When parsed, Then the target is chosen', (_, flags, env, target) => {
    const parsed = parseJobsArgs(['get', 'j', ...flags], env);

    expect('help' in parsed ? undefined : parsed.target).toEqual(target);
  });
});

describe('the other commands: arguments to requests', () => {
  it.each<[string, () => Invocation, ApiRequest]>([
    ['run', () => parseRunArgs(['nightly']), { method: 'POST', path: '/jobs/nightly/runs' }],
    [
      'run --params',
      () => parseRunArgs(['nightly', '--params', '{"topic": "evals", "limit": 3, "tags": ["a"]}']),
      {
        method: 'POST',
        path: '/jobs/nightly/runs',
        body: { params: { topic: 'evals', limit: 3, tags: ['a'] } },
      },
    ],
    [
      'run --params with an empty object',
      () => parseRunArgs(['nightly', '--params', '{}']),
      { method: 'POST', path: '/jobs/nightly/runs', body: { params: {} } },
    ],
    [
      'run --params-file',
      () => parseRunArgs(['nightly', '--params-file', paramsFile, '--wait']),
      {
        method: 'POST',
        path: '/jobs/nightly/runs',
        body: { params: { topic: 'from a file', depth: 2 } },
      },
    ],
    ['runs', () => parseRunsArgs([]), { method: 'GET', path: '/runs' }],
    [
      'runs with filters',
      () => parseRunsArgs(['--job', 'nightly', '--status', 'running', '--limit', '10', '--cursor', 'c1']),
      {
        method: 'GET',
        path: '/jobs/nightly/runs',
        query: { status: 'running', limit: '10', cursor: 'c1' },
      },
    ],
    ['runs <runId>', () => parseRunsArgs([RUN_ID]), { method: 'GET', path: `/runs/${RUN_ID}` }],
    [
      'runs <runId> in lower case',
      () => parseRunsArgs([RUN_ID.toLowerCase()]),
      { method: 'GET', path: `/runs/${RUN_ID}` },
    ],
    ['status', () => parseStatusArgs([]), { method: 'GET', path: '/status' }],
    [
      'status paged',
      () => parseStatusArgs(['--limit', '20', '--cursor', 'n']),
      { method: 'GET', path: '/status', query: { limit: '20', cursor: 'n' } },
    ],
    ['cancel', () => parseCancelArgs([RUN_ID]), { method: 'POST', path: `/runs/${RUN_ID}/cancel` }],
    [
      'backfill',
      () =>
        parseBackfillArgs(['nightly', '--from', '2026-01-01T00:00:00+01:00', '--to', '2026-01-02T00:00Z']),
      {
        method: 'POST',
        path: '/jobs/nightly/backfill',
        body: { from: '2025-12-31T23:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
      },
    ],
    [
      'backfill two at a time',
      () =>
        parseBackfillArgs([
          'nightly',
          '--from',
          '2026-01-01T00:00:00Z',
          '--to',
          '2026-01-02T00:00:00Z',
          '--concurrency',
          '2',
        ]),
      {
        method: 'POST',
        path: '/jobs/nightly/backfill',
        body: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', concurrency: 2 },
      },
    ],
    [
      'reconcile',
      () => parseReconcileArgs([]),
      { method: 'POST', path: '/reconcile', query: { dryRun: 'false' } },
    ],
    [
      'reconcile --dry-run',
      () => parseReconcileArgs(['--dry-run']),
      { method: 'POST', path: '/reconcile', query: { dryRun: 'true' } },
    ],
  ])('Given `tickwork %s`, When parsed, Then the request is built', async (_, parse, request) => {
    expect(await requestOf(parse())).toEqual(request);
  });

  it.each<[string, () => unknown, string]>([
    ['run without a job', () => parseRunArgs([]), 'missing <job>'],
    [
      'run with --timeout but no --wait',
      () => parseRunArgs(['j', '--timeout', '5']),
      '--timeout only applies with --wait',
    ],
    [
      'run with a bad --timeout',
      () => parseRunArgs(['j', '--wait', '--timeout', '2m']),
      '--timeout must be a whole number 1 or more, got "2m"',
    ],
    ['run with a bad job name', () => parseRunArgs(['a b']), 'job name "a b" must be'],
    [
      'run with --params that is not JSON',
      () => parseRunArgs(['j', '--params', '{topic:']),
      '--params is not valid JSON',
    ],
    [
      'run with --params that is an array',
      () => parseRunArgs(['j', '--params', '["a"]']),
      '--params must be a JSON object, got an array',
    ],
    [
      'run with --params null',
      () => parseRunArgs(['j', '--params', 'null']),
      '--params must be a JSON object, got null',
    ],
    [
      'run with --params and --params-file',
      () => parseRunArgs(['j', '--params', '{}', '--params-file', paramsFile]),
      '--params and --params-file cannot be given together',
    ],
    [
      'run with a missing --params-file',
      () => parseRunArgs(['j', '--params-file', join(dir, 'none.json')]),
      'none.json: no such file',
    ],
    [
      'run with a --params-file holding an array',
      () => parseRunArgs(['j', '--params-file', arrayFile]),
      `--params-file ${arrayFile} must be a JSON object, got an array`,
    ],
    [
      'runs with an unknown status',
      () => parseRunsArgs(['--status', 'done']),
      `--status must be one of ${RUN_STATUSES.join(', ')}, got "done"`,
    ],
    [
      'runs with a run id and a filter',
      () => parseRunsArgs([RUN_ID, '--job', 'x']),
      `--job filters a list; it does not apply to one run (${RUN_ID})`,
    ],
    [
      'runs with a run id that is not a ULID',
      () => parseRunsArgs(['abc']),
      'run id must be a ULID (26 characters, e.g. 01JCDT6Q7M3H8W4R5N9X2B1KZE); got "abc"',
    ],
    [
      'runs with two run ids',
      () => parseRunsArgs([RUN_ID, RUN_ID]),
      `unexpected argument "${RUN_ID}"; expected [runId]`,
    ],
    [
      'cancel with a run id that is not a ULID',
      () => parseCancelArgs(['a/b c']),
      'run id must be a ULID (26 characters, e.g. 01JCDT6Q7M3H8W4R5N9X2B1KZE); got "a/b c"',
    ],
    [
      'cancel with a run id one character short',
      () => parseCancelArgs([RUN_ID.slice(1)]),
      `run id must be a ULID (26 characters, e.g. 01JCDT6Q7M3H8W4R5N9X2B1KZE); got "${RUN_ID.slice(1)}"`,
    ],
    ['runs with a bad job name', () => parseRunsArgs(['--job', 'a b']), 'job name "a b" must be'],
    ['status with a positional', () => parseStatusArgs(['all']), 'unexpected argument "all"; expected none'],
    ['cancel without a run', () => parseCancelArgs([]), 'missing <runId>'],
    [
      'backfill without --from',
      () => parseBackfillArgs(['nightly', '--to', '2026-01-02T00:00:00Z']),
      '--from is required',
    ],
    [
      'backfill with a date for --to',
      () => parseBackfillArgs(['nightly', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02']),
      '--to must be an ISO-8601 instant with a zone, e.g. 2026-01-31T09:00:00Z; got "2026-01-02"',
    ],
    [
      'backfill with a February 30th',
      () => parseBackfillArgs(['nightly', '--from', '2026-02-30T00:00:00Z', '--to', '2026-03-02T00:00:00Z']),
      '--from must be an ISO-8601 instant',
    ],
    [
      'backfill with --concurrency 0',
      () =>
        parseBackfillArgs([
          'nightly',
          '--from',
          '2026-01-01T00:00:00Z',
          '--to',
          '2026-01-02T00:00:00Z',
          '--concurrency',
          '0',
        ]),
      '--concurrency must be a whole number from 1 to 10, got "0"',
    ],
    [
      'backfill with a bad job name',
      () => parseBackfillArgs(['a b', '--from', '2026-01-01T00:00:00Z']),
      'job name "a b" must be',
    ],
    ['backfill without a job', () => parseBackfillArgs([]), 'missing <job>'],
    [
      'reconcile with a value for --dry-run',
      () => parseReconcileArgs(['--dry-run=maybe']),
      '--dry-run takes no value (or =true, =false); got "--dry-run=maybe"',
    ],
    [
      'dead-letters with a bad --limit',
      () => parseDeadLettersArgs(['--limit', 'all']),
      '--limit must be a whole number 1 or more, got "all"',
    ],
    [
      'dead-letters with --url but no Region',
      () => parseDeadLettersArgs(['--url', 'https://x.example']),
      'cannot tell the AWS Region of the deployment; pass --region or set AWS_REGION',
    ],
    [
      'events with a bad --limit',
      () => parseEventsArgs(['--limit', '0']),
      '--limit must be a whole number 1 or more, got "0"',
    ],
    ['events with a positional', () => parseEventsArgs(['orders']), 'unexpected argument "orders"'],
    ['sync without a view', () => parseSyncArgs([]), 'status'],
    [
      'sync reset with a bad connector id',
      () => parseSyncArgs(['reset', 'demo-sync', 'crm/x']),
      '<connector> must be a connector id (1-64 of A-Z a-z 0-9 _ -); got "crm/x"',
    ],
    ['sync status with a bad job name', () => parseSyncArgs(['status', 'a b']), 'job name "a b" must be'],
  ])('Given `tickwork %s`, When parsed, Then a UsageError names the problem', (_, parse, message) => {
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('Given run --wait without --timeout, When parsed, Then it waits 600 s (through Lambda retries)', () => {
    expect(parseRunArgs(['j', '--wait'])).toMatchObject({ waitTimeoutMs: 600_000 });
    expect(parseRunArgs(['j', '--wait', '--timeout', '30'])).toMatchObject({ waitTimeoutMs: 30_000 });
    expect(parseRunArgs(['j'])).not.toHaveProperty('waitTimeoutMs');
  });

  it.each<[string[], Record<string, string>, unknown]>([
    [[], {}, { output: 'table' }],
    [[], { TICKWORK_DATA_DIR: ' ' }, { output: 'table' }],
    [
      ['--limit', '3', '--json'],
      { TICKWORK_DATA_DIR: 'env-dir' },
      { dataDir: 'env-dir', output: 'json', limit: 3 },
    ],
    [['--data-dir', 'flag-dir'], { TICKWORK_DATA_DIR: 'env-dir' }, { dataDir: 'flag-dir', output: 'table' }],
    [
      ['--data-dir', 'flag-dir', '--output', 'wide'],
      { TICKWORK_API_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
      { dataDir: 'flag-dir', output: 'wide' },
    ],
    [
      [],
      { TICKWORK_API_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
      { aws: { region: 'eu-west-1', queueUrls: [], output: 'table' } },
    ],
    [
      [
        '--queue-url',
        'https://sqs.eu-central-1.amazonaws.com/123456789012/q',
        '--queue-url',
        'https://sqs.eu-central-1.amazonaws.com/123456789012/r',
      ],
      {},
      {
        aws: {
          region: 'eu-central-1',
          queueUrls: [
            'https://sqs.eu-central-1.amazonaws.com/123456789012/q',
            'https://sqs.eu-central-1.amazonaws.com/123456789012/r',
          ],
          output: 'table',
        },
      },
    ],
    [
      [
        '--url',
        'https://abc.execute-api.eu-west-1.amazonaws.com',
        '--stage',
        'prod',
        '--redrive',
        'all',
        '--region',
        'us-west-2',
      ],
      { AWS_REGION: 'us-east-1' },
      { aws: { region: 'us-west-2', stage: 'prod', redrive: 'all', queueUrls: [], output: 'table' } },
    ],
  ])('Given dead-letters %j with env %j, When parsed, Then %j', (args, env, expected) => {
    expect(parseDeadLettersArgs(args, env)).toEqual(expected);
  });
});

describe('what an invocation is about, for messages in CLI terms', () => {
  it.each<[string, () => unknown, Record<string, unknown>]>([
    [
      'jobs add from flags',
      () => parseJobsArgs(['add', 'nightly', '--kind', 'prompt', '--schedule', 'daily']),
      { command: 'jobs add', job: 'nightly', fromFlags: true },
    ],
    [
      'jobs add --file names the job of the file',
      () => parseJobsArgs(['add', '--file', jobFile]),
      { command: 'jobs add', job: 'filed', fromFlags: false },
    ],
    ['jobs resume', () => parseJobsArgs(['resume', 'nightly']), { command: 'jobs resume', job: 'nightly' }],
    ['run', () => parseRunArgs(['nightly']), { command: 'run', job: 'nightly' }],
    ['runs --job', () => parseRunsArgs(['--job', 'nightly']), { command: 'runs', job: 'nightly' }],
    ['runs <runId>', () => parseRunsArgs([RUN_ID]), { command: 'runs', runId: RUN_ID }],
    ['cancel', () => parseCancelArgs([RUN_ID.toLowerCase()]), { command: 'cancel', runId: RUN_ID }],
  ])('Given `tickwork %s`, When parsed, Then the invocation names it', (_, parse, about) => {
    expect(parse()).toMatchObject(about);
  });
});

describe('"more:" hints keep the filters of the listing', () => {
  const page = { nextCursor: 'eyJrIjoidiJ9' };

  it.each<[string, () => unknown, string]>([
    [
      'runs with a job, a status and a limit',
      () => parseRunsArgs(['--job', 'x', '--status', 'failed', '--limit', '5', '--cursor', 'old']),
      'more: tickwork runs --job x --status failed --limit 5 --cursor eyJrIjoidiJ9',
    ],
    ['runs without filters', () => parseRunsArgs([]), 'more: tickwork runs --cursor eyJrIjoidiJ9'],
    [
      'jobs list with every filter and target flags',
      () =>
        parseJobsArgs([
          'list',
          '--kind',
          'prompt',
          '--name',
          'night',
          '--enabled',
          'false',
          '--limit',
          '2',
          '--url',
          'https://api.example.com/prod',
          '--region',
          'eu-west-1',
        ]),
      'more: tickwork jobs list --kind prompt --name night --enabled false --limit 2 --url https://api.example.com/prod --region eu-west-1 --cursor eyJrIjoidiJ9',
    ],
    [
      'status with a limit and a data directory with a space',
      () => parseStatusArgs(['--limit', '20', '--data-dir', '/srv/my stack']),
      "more: tickwork status --limit 20 --data-dir '/srv/my stack' --cursor eyJrIjoidiJ9",
    ],
  ])('Given %s, When a page has a next cursor, Then the hint repeats them', (_, parse, hint) => {
    const { more } = parse() as { more: readonly string[] };

    expect(nextPageHint(page, more)).toBe(`\n${hint}`);
  });

  it('Given the last page, When hinted, Then there is no hint', () => {
    expect(nextPageHint({ nextCursor: null }, ['tickwork', 'runs'])).toBe('');
  });

  it.each([
    ['plain', 'plain'],
    ['with space', "'with space'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
  ])('Given %j, When quoted for a shell, Then %s', (word, quoted) => {
    expect(shellWord(word)).toBe(quoted);
  });
});
