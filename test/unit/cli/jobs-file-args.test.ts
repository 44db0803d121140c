/**
 * Bad command lines of the jobs-as-code commands (`apply`, `export`, `import loom`): each is a usage
 * error naming the flag or argument and the rule, raised while parsing, before any file is read or any
 * request is sent.
 */
import { describe, expect, it } from 'vitest';
import { parseApplyArgs } from '../../../cli/commands/apply.ts';
import { parseExportArgs } from '../../../cli/commands/export.ts';
import { parseImportArgs } from '../../../cli/commands/import.ts';
import { UsageError } from '../../../cli/usage-error.ts';

describe('tickwork apply, export and import: bad command lines', () => {
  it.each<[string, () => unknown, string]>([
    ['apply without -f', () => parseApplyArgs([]), '-f, --file <PATH> is required: the jobs file to apply'],
    [
      'apply with an unknown option',
      () => parseApplyArgs(['-f', 'jobs.yaml', '--bogus']),
      'unknown option --bogus; the options are --file, --dry-run, --prune, --stage',
    ],
    [
      'apply with a positional',
      () => parseApplyArgs(['-f', 'jobs.yaml', 'extra']),
      'unexpected argument "extra"',
    ],
    ['export with a positional', () => parseExportArgs(['jobs.yaml']), 'unexpected argument "jobs.yaml"'],
    [
      'export of an unknown kind',
      () => parseExportArgs(['--kind', 'nope']),
      '--kind must be one of prompt, telemetry, calibration, task, sync, got "nope"',
    ],
    ['import without a format', () => parseImportArgs([]), 'missing subcommand; expected one of loom'],
    ['import of another format', () => parseImportArgs(['cron', 'x.yaml']), 'unknown subcommand "cron"'],
    ['import loom without a file', () => parseImportArgs(['loom']), 'missing <file>'],
  ])('Given `tickwork %s`, When parsed, Then a usage error names the problem', (_, parse, message) => {
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});
