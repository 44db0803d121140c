/** How `tickwork dead-letters` shows a deployment's entries: a table (readable or wide), JSON or JSON Lines. */
import { functionNameFromArn } from '../../shared/functions.ts';
import { instant, json, table } from '../output.ts';
import { jsonLines, type OutputFormat, type Terminal } from '../terminal.ts';
import type { DeadLetterEntry } from './entries.ts';

const HEADERS = ['SLOT', 'JOB', 'FROM', 'ATTEMPTS', 'LAST ERROR', 'ID'];
const WIDE_HEADERS = [...HEADERS, 'TARGET', 'SENT', 'QUEUE'];
/** The error is the free text a narrow terminal may cut; ids are never cut (`--redrive` takes them). */
const FLEXIBLE = [4];

function queueName(url: string): string {
  return (
    url
      .split('/')
      .filter((part) => part !== '')
      .at(-1) ?? url
  );
}

function cells(entry: DeadLetterEntry, wide: boolean): (string | undefined)[] {
  const row = [
    instant(entry.slot),
    entry.job,
    entry.source,
    entry.attempts === undefined ? undefined : String(entry.attempts),
    entry.error ?? (entry.body === undefined ? undefined : `(not a Tickwork event) ${entry.body}`),
    entry.id,
  ];
  if (!wide) return row;
  const target = entry.target === undefined ? undefined : (functionNameFromArn(entry.target) ?? entry.target);
  return [...row, target, instant(entry.sentAt), queueName(entry.queue)];
}

export function entriesView(
  entries: readonly DeadLetterEntry[],
  output: OutputFormat,
  terminal: Terminal,
): string {
  switch (output) {
    case 'json':
      return json({ deadLetters: entries });
    case 'jsonl':
      return jsonLines(entries);
    default: {
      const wide = output === 'wide';
      const rows = entries.map((entry) => cells(entry, wide));
      return `${table(wide ? WIDE_HEADERS : HEADERS, rows, {
        width: wide ? undefined : terminal.width,
        flexible: FLEXIBLE,
      })}\n`;
    }
  }
}
