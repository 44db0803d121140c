/**
 * `tickwork sync status <job>` and `tickwork sync reset <job> <connector>`: a sync job's checkpoints,
 * one per connector (`GET /jobs/{name}/checkpoints`), and starting one connector over
 * (`POST /jobs/{name}/checkpoints/{connector}/reset`: its next run reads from the beginning, and the
 * sink gets its records again under new idempotency keys). A connector a run is syncing answers a
 * conflict (exit 4): cancel the run or reset after it. `sync status --output table|wide|json|jsonl` as the
 * other listings (`--json` its alias): `jsonl` one checkpoint a line, `wide` cursors never cut.
 */

import type { Checkpoint, Checkpoints } from '../../client/index.ts';
import { CONNECTOR_ID_PATTERN } from '../../shared/kinds/sync/config.ts';
import { isRecord } from '../api-client.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  callAndShow,
  clientFor,
  defineCommand,
  type Env,
  printWarnings,
  type TargetFlags,
  targetOptions,
} from '../api-command.ts';
import { act, type CliCommand, type Parsed, parseCommandLine } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { checkJobName } from '../names.ts';
import { instant, json, table } from '../output.ts';
import { COMMANDS } from '../summaries.ts';
import {
  addOutputOption,
  jsonLines,
  type OutputFlags,
  type OutputFormat,
  outputFormat,
  stdoutTerminal,
} from '../terminal.ts';
import { UsageError } from '../usage-error.ts';

/** The command is named after its kind (the one-place rule allows this file that literal); the connector id rule is the kind's own. */
const NAME = 'sync';

function checkConnector(text: string): string {
  if (!CONNECTOR_ID_PATTERN.test(text)) {
    throw new UsageError(`<connector> must be a connector id (1-64 of A-Z a-z 0-9 _ -); got "${text}"`);
  }
  return text;
}

export type SyncInvocation =
  | (ClientInvocation<Checkpoints> & { readonly view: 'status'; readonly output: OutputFormat })
  | (ClientInvocation<Checkpoint> & { readonly view: 'reset' });

export function defineSync(root: CliCommand, env: Env, done: (invocation: SyncInvocation) => void): void {
  const sync = root
    .command(NAME)
    .summary(COMMANDS.sync.summary)
    .description(`Sync jobs: ${COMMANDS.sync.summary}.`);
  const status = sync
    .command('status <job>')
    .summary("show a sync job's checkpoint per connector: cursor, version, last commit")
    .description("Show a sync job's checkpoint per connector: its cursor, version and last commit.");
  addOutputOption(status);
  addTargetOptions(status);
  act<TargetFlags & OutputFlags, SyncInvocation>(status, done, ([given = ''], flags) => {
    const job = checkJobName(given);
    const output = outputFormat(flags);
    return {
      command: `${NAME} status`,
      job,
      view: 'status',
      call: (client) => client.checkpoints.list(job),
      target: targetOptions(flags, env),
      json: output === 'json',
      output,
    };
  });
  const reset = sync
    .command('reset <job> <connector>')
    .summary("start a connector over: the job's next run reads it from the beginning")
    .description(
      "Start a connector over: the job's next run reads it from the beginning, and the sink gets its\n" +
        'records again (under new idempotency keys). Refused while a run is syncing the connector.',
    );
  addTargetOptions(reset);
  act<TargetFlags, SyncInvocation>(reset, done, ([given = '', connector = ''], flags) => {
    const job = checkJobName(given);
    const key = checkConnector(connector);
    return {
      command: `${NAME} reset`,
      job,
      view: 'reset',
      call: (client) => client.checkpoints.reset(job, key),
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseSyncArgs(args: readonly string[], env: Env = {}): Parsed<SyncInvocation> {
  return parseCommandLine([NAME, ...args], (root, done) => defineSync(root, env, done));
}

/** A checkpoint's cells: connector, cursor (`(start)` before the first commit), version, last commit, lease. */
function checkpointCells(checkpoint: unknown): string[] {
  const entry = isRecord(checkpoint) ? checkpoint : {};
  const cursor = entry.cursor === null || entry.cursor === undefined ? '(start)' : String(entry.cursor);
  const lease = isRecord(entry.leasedBy)
    ? `run ${String(entry.leasedBy.runId)} until ${instant(entry.leasedBy.expiresAt) ?? '?'}`
    : '';
  return [String(entry.connector), cursor, String(entry.version), instant(entry.updatedAt) ?? 'never', lease];
}

const HEADERS = ['CONNECTOR', 'CURSOR', 'VERSION', 'COMMITTED', 'SYNCING'];
/** The cursor and the lease are the free text a narrow terminal may cut (`wide` never cuts). */
const FLEXIBLE = [1, 4];

function resetView(checkpoint: Checkpoint): string {
  const [connector, cursor, version] = checkpointCells(checkpoint);
  return `reset connector ${connector}: cursor ${cursor}, version ${version}; its next run syncs it from the beginning`;
}

/** The checkpoints in the format asked for: `jsonl` one checkpoint a line, `json` the API's answer. */
export function statusView(
  answer: Checkpoints,
  output: OutputFormat,
  width = stdoutTerminal().width,
): string {
  switch (output) {
    case 'json':
      return json(answer);
    case 'jsonl':
      return jsonLines(answer.checkpoints);
    default:
      return `${table(HEADERS, answer.checkpoints.map(checkpointCells), {
        width: output === 'wide' ? undefined : width,
        flexible: FLEXIBLE,
      })}\n`;
  }
}

/** Written as it is: an empty `jsonl` listing is no output at all, not an empty line. */
async function showStatus(invocation: SyncInvocation & { readonly view: 'status' }): Promise<number> {
  const answer = await invocation.call(clientFor(invocation.target));
  printWarnings(answer);
  process.stdout.write(statusView(answer, invocation.output));
  return EXIT.success;
}

export const syncCommand = defineCommand({
  name: NAME,
  summary: COMMANDS.sync.summary,
  parse: parseSyncArgs,
  execute: (invocation) =>
    invocation.view === 'reset' ? callAndShow(invocation, resetView) : showStatus(invocation),
  context: (invocation) => invocation,
});
