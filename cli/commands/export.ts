/**
 * `tickwork export [-o file] [--kind k]`: every job (or every job of a kind) as a jobs file, with
 * comments at its top saying where it came from. `tickwork apply -f` of that file reports every job
 * unchanged: the file holds each job's definition as the API shows it.
 */
import { writeFile } from 'node:fs/promises';
import { type Job, TickworkClient } from '../../client/index.ts';
import { exportJobsFile } from '../../shared/jobs/file/export.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import type { TargetOptions } from '../api-client.ts';
import {
  addTargetOptions,
  defineCommand,
  type Env,
  type TargetFlags,
  targetOptions,
  write,
} from '../api-command.ts';
import { act, type CliCommand, oneOf, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { listAll } from '../jobs-port.ts';
import { COMMANDS } from '../summaries.ts';

export interface ExportInvocation {
  readonly command: 'export';
  readonly output?: string;
  readonly kind?: Job['kind'];
  readonly target: TargetOptions;
}

interface ExportFlags extends TargetFlags {
  readonly output?: string;
  readonly kind?: Job['kind'];
}

function defineExport(root: CliCommand, env: Env, done: (invocation: ExportInvocation) => void): void {
  const command = root
    .command('export')
    .summary(COMMANDS.export.summary)
    .description(
      'Write every job as a jobs file (stdout without -o). `tickwork apply -f <file>` of it reports\n' +
        'every job unchanged. One-time jobs that already ran are left out and named in a comment.',
    );
  valueOption(command, '-o, --output <FILE>', 'write the file here instead of to stdout');
  valueOption(command, '--kind <KIND>', `only jobs of this kind (${JOB_KINDS.join(', ')})`, oneOf(JOB_KINDS));
  addTargetOptions(command);
  act<ExportFlags, ExportInvocation>(command, done, (_, flags) => ({
    command: 'export',
    ...(flags.output === undefined ? {} : { output: flags.output }),
    ...(flags.kind === undefined ? {} : { kind: flags.kind }),
    target: targetOptions(flags, env),
  }));
}

export function parseExportArgs(args: readonly string[], env: Env = {}): Parsed<ExportInvocation> {
  return parseCommandLine(['export', ...args], (root, done) => defineExport(root, env, done));
}

async function execute(invocation: ExportInvocation): Promise<number> {
  const client = new TickworkClient(invocation.target);
  const jobs = await listAll(client, invocation.kind);
  const target = await client.target();
  const exported = exportJobsFile(jobs, [
    `Exported by \`tickwork export${invocation.kind === undefined ? '' : ` --kind ${invocation.kind}`}\` from ${target.description} at ${new Date().toISOString()}: ${jobs.length} job(s).`,
    `Apply it with \`tickwork apply -f ${invocation.output ?? '<this file>'}\`; it reports every job unchanged until one is changed.`,
  ]);
  for (const job of exported.skipped) process.stderr.write(`left out job "${job.name}": ${job.reason}\n`);
  if (invocation.output === undefined) write(exported.text);
  else {
    await writeFile(invocation.output, exported.text);
    process.stderr.write(`wrote ${jobs.length - exported.skipped.length} job(s) to ${invocation.output}\n`);
  }
  return EXIT.success;
}

export const exportCommand = defineCommand({
  name: 'export',
  summary: COMMANDS.export.summary,
  parse: parseExportArgs,
  execute,
});
