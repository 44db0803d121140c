/**
 * `tickwork preview` as a user runs it: a real `node bin/tickwork.js` process, its stdout, stderr and
 * exit code.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const tickwork = (...args: string[]) => runCli(args);

describe('tickwork preview', () => {
  it('given a crontab, a zone, a fixed --from and --json, then it prints exactly one JSON object', async () => {
    const result = await tickwork(
      'preview',
      '0 9 * * MON-FRI',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-11-20T12:00:00Z',
      '--count',
      '3',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      description: 'At 09:00, Monday through Friday, Europe/Berlin',
      // Friday 2026-11-20 12:00Z is past 09:00 Berlin; then Mon, Tue, Wed at 09:00 CET = 08:00Z.
      next: ['2026-11-23T08:00:00Z', '2026-11-24T08:00:00Z', '2026-11-25T08:00:00Z'],
    });
  });

  it('given no --count, then five times; a rate fires as a job created at --from would', async () => {
    const result = await tickwork('preview', 'PT15M', '--from', '2026-11-20T12:00:00+01:00', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      input: 'PT15M',
      expression: 'rate(15 minutes)',
      timezone: 'UTC',
      description: 'Every 15 minutes',
      next: [
        '2026-11-20T11:15:00Z',
        '2026-11-20T11:30:00Z',
        '2026-11-20T11:45:00Z',
        '2026-11-20T12:00:00Z',
        '2026-11-20T12:15:00Z',
      ],
    });
  });

  it('given a rate and a --from with seconds, then the times a job created then fires: its anchor, rounded up to the minute', async () => {
    const result = await tickwork(
      'preview',
      'rate(5 minutes)',
      '--from',
      '2026-01-01T09:00:30Z',
      '--count',
      '3',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      input: 'rate(5 minutes)',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      description: 'Every 5 minutes',
      // Created 09:00:30: first fire 09:05:30 rounded up to 09:06:00, then every 5 minutes (not 09:05:30, 09:10:30).
      next: ['2026-01-01T09:06:00Z', '2026-01-01T09:11:00Z', '2026-01-01T09:16:00Z'],
    });
  });

  it('given the shortcut daily without --json, then the description names the first fire and the times follow it', async () => {
    const result = await tickwork('preview', 'daily', '--from', '2026-01-01T09:00:30Z', '--count', '2');
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'expression   rate(1 day)',
      'timezone     UTC',
      'description  Every day, counted from creation: first 2026-01-02 09:01 UTC',
      'next 2 of a job created at 2026-01-01T09:00:30Z:',
      '  2026-01-02T09:01:00Z  Fri, 02/01/2026, 09:01 UTC',
      '  2026-01-03T09:01:00Z  Sat, 03/01/2026, 09:01 UTC',
    ]);
  });

  it('given the macro @daily, then it stays calendar cron, unlike the shortcut', async () => {
    const result = await tickwork(
      'preview',
      '@daily',
      '--from',
      '2026-01-01T09:00:30Z',
      '--count',
      '1',
      '--json',
    );
    expect(JSON.parse(result.stdout)).toMatchObject({
      expression: 'cron(0 0 * * ? *)',
      description: 'At 00:00, every day',
      next: ['2026-01-02T00:00:00Z'],
    });
  });

  it('given a weekday name before # in a zone, then the second Fridays at 09:00 local', async () => {
    const result = await tickwork(
      'preview',
      'cron(0 9 ? * fri#2 *)',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-01-01T00:00:00Z',
      '--count',
      '2',
      '--json',
    );
    expect(JSON.parse(result.stdout)).toStrictEqual({
      input: 'cron(0 9 ? * fri#2 *)',
      expression: 'cron(0 9 ? * FRI#2 *)',
      timezone: 'Europe/Berlin',
      description: 'At 09:00, on the second Friday of the month, Europe/Berlin',
      // January 2026 Fridays 2, 9; February 6, 13; 09:00 CET = 08:00Z.
      next: ['2026-01-09T08:00:00Z', '2026-02-13T08:00:00Z'],
    });
  });

  it('given an EventBridge expression across the New York spring-forward, then the skipped time is absent', async () => {
    const result = await tickwork(
      'preview',
      'cron(30 2 * * ? *)',
      '--tz',
      'America/New_York',
      '--from',
      '2026-03-07T12:00:00Z',
      '--count',
      '2',
      '--json',
    );
    expect(JSON.parse(result.stdout).next).toEqual(['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']);
  });

  it('given no --json, then it prints the expression, description and times for people', async () => {
    const result = await tickwork('preview', '@daily', '--from', '2026-11-20T12:00:00Z', '--count', '2');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'expression   cron(0 0 * * ? *)',
      'timezone     UTC',
      'description  At 00:00, every day',
      'next 2 after 2026-11-20T12:00:00Z:',
    ]);
    expect(lines[4]).toMatch(/^ {2}2026-11-21T00:00:00Z {2}Sat, 21\/11\/2026, 00:00 UTC$/);
    expect(lines[5]).toMatch(/^ {2}2026-11-22T00:00:00Z /);
  });

  it('given --help, then usage on stdout and exit 0', async () => {
    const result = await tickwork('preview', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'usage: tickwork preview <expression> [--tz IANA] [--from ISO-8601] [--count N] [--json]',
    );
    expect(result.stderr).toBe('');
  });

  it.each([
    {
      why: 'a bad expression',
      args: ['cron(0 9 * * MON *)'],
      names: 'exactly one of day-of-month and day-of-week must be ?',
    },
    { why: 'an interval under a minute', args: ['PT30S'], names: 'invalid interval "PT30S"' },
    {
      why: 'a sixth Friday',
      args: ['cron(0 9 ? * FRI#6 *)'],
      names: 'invalid day-of-week "FRI#6" in "cron(0 9 ? * FRI#6 *)": the number after # must be 1-5',
    },
    { why: 'an unknown zone', args: ['@daily', '--tz', 'Mars/Base'], names: 'unknown time zone "Mars/Base"' },
    { why: 'a bad --from', args: ['@daily', '--from', 'yesterday'], names: 'invalid --from "yesterday"' },
    {
      why: 'a --from without offset',
      args: ['@daily', '--from', '2026-11-20T12:00:00'],
      names: 'with Z or an offset',
    },
    {
      why: 'an impossible --from',
      args: ['@daily', '--from', '2026-02-30T12:00:00Z'],
      names: 'invalid --from',
    },
    { why: 'a bad --count', args: ['@daily', '--count', 'many'], names: 'invalid --count "many"' },
    { why: 'a zero --count', args: ['@daily', '--count', '0'], names: 'from 1 to 1000' },
    {
      why: 'an unknown flag',
      args: ['@daily', '--zone', 'UTC'],
      names: 'unknown option --zone; the options are --tz, --from, --count, --json, --help',
    },
    {
      why: 'a misspelled flag',
      args: ['@daily', '--cuont', '3'],
      names: 'unknown option --cuont; did you mean --count?',
    },
    { why: 'a missing expression', args: ['--tz', 'UTC'], names: 'missing <expression>' },
    { why: 'an unquoted crontab', args: ['0', '9', '*', '*', '*'], names: 'quote the expression' },
  ])('given $why, then exit 2 with one line on stderr and no stack trace', async ({ args, names }) => {
    const result = await tickwork('preview', ...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tickwork preview: /);
    expect(lines[0]).toContain(names);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
