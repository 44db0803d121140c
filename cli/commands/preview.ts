/**
 * `tickwork preview <expression>`: the normalized EventBridge expression, its description and the
 * next fire times, so a schedule can be checked before a job is created.
 */
import { ValidationError } from '../../shared/errors.ts';
import { previewSchedule, type SchedulePreview } from '../../shared/jobs/preview.ts';
import { ScheduleExpressionError, TimeZoneError } from '../../shared/schedule/index.ts';
import { act, isHelp, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { parseInstant } from '../instant.ts';
import type { Command } from '../main.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';

const MAX_COUNT = 1000;

/** Parsed command-line input of `tickwork preview`. */
interface PreviewArgs {
  readonly expression: string;
  readonly timezone: string;
  readonly from: Date;
  readonly count: number;
  readonly json: boolean;
}

export const previewCommand: Command = {
  summary: COMMANDS.preview.summary,
  async run(args: string[]): Promise<number> {
    const input = readArgs(args, new Date());
    if (isHelp(input)) {
      process.stdout.write(input.help);
      return 0;
    }
    let preview: SchedulePreview;
    try {
      // The API's preview: a rate fires as a job created at --from would (its anchor), not from --from itself.
      preview = previewSchedule(
        { expression: input.expression, timezone: input.timezone, count: input.count },
        input.from,
      );
    } catch (error) {
      if (error instanceof ValidationError) {
        // The engine's own message, without the API's field prefix: the command line has no fields.
        const cause = error.cause;
        const message =
          cause instanceof ScheduleExpressionError || cause instanceof TimeZoneError
            ? cause.message
            : error.message;
        throw new UsageError(message, { cause: error });
      }
      throw error;
    }
    const next = preview.next.map((iso) => new Date(iso));
    process.stdout.write(input.json ? `${renderJson(preview, next)}\n` : render(preview, input.from, next));
    return 0;
  },
};

interface PreviewFlags {
  readonly tz?: string;
  readonly from?: string;
  readonly count?: string;
  readonly json?: boolean;
}

/** Reads the command line: what to preview, or the help text. */
function readArgs(args: string[], now: Date): Parsed<PreviewArgs> {
  return parseCommandLine<PreviewArgs>(['preview', ...args], (root, done) => {
    const preview = root
      .command('preview')
      .argument(
        '[expression...]',
        'crontab ("0 9 * * MON-FRI"), cron(...), rate(...), at(...), an ISO-8601 duration (PT15M), a number ' +
          'of seconds, hourly/daily/weekly or @daily etc. Quote it: the shell expands * otherwise.',
      )
      .usage('<expression> [--tz IANA] [--from ISO-8601] [--count N] [--json]')
      .summary(COMMANDS.preview.summary)
      .description(
        'Shows the EventBridge expression a schedule becomes, its description and its next fire times.',
      );
    valueOption(preview, '--tz <IANA>', 'time zone for cron and at() fields (default UTC)');
    valueOption(
      preview,
      '--from <ISO-8601>',
      'list fire times after this instant, with Z or an offset (default now); rate schedules are ' +
        'anchored on it, as when Tickwork creates them',
    );
    valueOption(preview, '--count <N>', 'how many fire times, 1-1000 (default 5)');
    preview.option('--json', 'print one JSON object: {"input","expression","timezone","description","next"}');
    act<PreviewFlags, PreviewArgs>(preview, done, ([words], values) => {
      const positionals = (words as unknown as string[] | undefined) ?? [];
      if (positionals.length === 0) {
        throw new UsageError(
          'missing <expression>, e.g. tickwork preview "0 9 * * MON-FRI" --tz Europe/Berlin',
        );
      }
      if (positionals.length > 1) {
        throw new UsageError(
          `expected one <expression>, received ${positionals.length} arguments (${positionals.join(' ')}); quote the expression, e.g. tickwork preview "0 9 * * MON-FRI"`,
        );
      }
      return {
        expression: positionals[0] ?? '',
        timezone: values.tz ?? 'UTC',
        from:
          values.from === undefined
            ? new Date(Math.floor(now.getTime() / 1000) * 1000)
            : readInstant(values.from),
        count: values.count === undefined ? 5 : readCount(values.count),
        json: values.json ?? false,
      };
    });
  });
}

function readInstant(text: string): Date {
  const date = parseInstant(text);
  if (date === undefined) {
    throw new UsageError(
      `invalid --from "${text}": expected an ISO-8601 instant with Z or an offset, e.g. 2026-11-23T08:00:00Z`,
    );
  }
  return date;
}

function readCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_COUNT) {
    throw new UsageError(`invalid --count "${text}": expected a whole number from 1 to ${MAX_COUNT}`);
  }
  return Number(text);
}

/** UTC with Z, no milliseconds: `2026-11-23T08:00:00Z`. */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function renderJson(preview: SchedulePreview, next: readonly Date[]): string {
  return JSON.stringify({
    input: preview.input,
    expression: preview.expression,
    timezone: preview.timezone,
    description: preview.description,
    next: next.map(utc),
  });
}

function render(preview: SchedulePreview, from: Date, next: readonly Date[]): string {
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: preview.timezone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const lines = [
    `expression   ${preview.expression}`,
    `timezone     ${preview.timezone}`,
    `description  ${preview.description}`,
    heading(preview, from, next.length),
    ...next.map((date) => `  ${utc(date)}  ${local.format(date)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** A rate lists what a job created at --from would do (from its anchor); other schedules, what follows --from. */
function heading(preview: SchedulePreview, from: Date, count: number): string {
  if (count === 0) return `no fire times after ${utc(from)}`;
  if (preview.expression.startsWith('rate(')) return `next ${count} of a job created at ${utc(from)}:`;
  return `next ${count} after ${utc(from)}:`;
}
