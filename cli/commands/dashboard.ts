/**
 * `tickwork dashboard`: a login link to the dashboard.
 *
 * - With `--url` (or TICKWORK_API_URL): serves the page on 127.0.0.1 (`--port`, default any free port)
 *   behind its own one-time login code, and sends the page's API requests to the deployed API signed
 *   with the caller's AWS credentials (cli/dashboard-proxy.ts), until Ctrl+C.
 * - Without: asks the running local stack (its endpoints.json, found like the other commands find it)
 *   for a new login code and prints the line `npm start` printed, with a fresh code.
 */

import { LOGIN_CODES_PATH } from '../../local/api-front/dashboard.ts';
import { LOGIN_CODE_TTL_MS } from '../../local/api-front/dashboard-gate.ts';
import { localStackDataDir, readLocalEndpoints, resolveTarget, TargetError } from '../api-client.ts';
import { CLI_ENV, defineCommand, type Env, namedDataDir, targetOptions, write } from '../api-command.ts';
import { act, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { startDashboardProxy } from '../dashboard-proxy.ts';
import { EXIT } from '../exit-codes.ts';
import { listenError, untilStopped } from '../listening.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';
import { bannerLine } from './local-functions.ts';

export type DashboardInvocation =
  | {
      readonly mode: 'deployed';
      readonly url: string;
      readonly region?: string;
      readonly port: number;
    }
  | { readonly mode: 'local'; readonly dataDir?: string };

interface DashboardFlags {
  readonly url?: string;
  readonly region?: string;
  readonly port?: string;
  readonly dataDir?: string;
}

export function parseDashboardArgs(args: readonly string[], env: Env): Parsed<DashboardInvocation> {
  return parseCommandLine<DashboardInvocation>(['dashboard', ...args], (root, done) => {
    const command = root
      .command('dashboard')
      .summary(COMMANDS.dashboard.summary)
      .description(
        'Prints a one-time login link to the dashboard. With --url, serves the dashboard of a deployed API\n' +
          'on 127.0.0.1 and signs its API requests with your AWS credentials (IAM authorization stays on);\n' +
          'without, asks the running local stack for a new link.',
      );
    valueOption(
      command,
      '--url <URL>',
      `deployed API base URL (or ${CLI_ENV.apiUrl}); without it, the local stack's dashboard`,
    );
    valueOption(command, '--region <REGION>', `AWS Region for --url (default: ${CLI_ENV.region} or the URL)`);
    valueOption(
      command,
      '--port <N>',
      'with --url: the port to serve on, 0-65535 (default 0: any free port)',
    );
    valueOption(
      command,
      '--data-dir <DIR>',
      `without --url: the local stack's data directory (or ${CLI_ENV.dataDir}; default: the nearest .tickwork/endpoints.json from here up)`,
    );
    act<DashboardFlags, DashboardInvocation>(command, done, (_, flags) => {
      const target = targetOptions(flags, env);
      if (target.url === undefined) {
        if (flags.port !== undefined) {
          throw new UsageError(
            "--port applies with --url only: the local stack's dashboard is served by its API front",
          );
        }
        if (flags.dataDir !== undefined && flags.dataDir.trim() === '') {
          throw new UsageError('--data-dir must name a directory; got an empty value');
        }
        const dataDir = namedDataDir(flags.dataDir, env);
        return { mode: 'local', ...(dataDir === undefined ? {} : { dataDir }) };
      }
      const portText = flags.port ?? '0';
      const port = Number(portText);
      if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
        throw new UsageError(
          `--port must be a whole number from 0 to 65535 (0 = any free port); got "${portText}"`,
        );
      }
      return {
        mode: 'deployed',
        url: target.url,
        port,
        ...(target.region === undefined ? {} : { region: target.region }),
      };
    });
  });
}

/** Asks the local stack's API front for a new login link (with its bearer token). */
export async function localDashboardLine(dataDir: string | undefined, cwd = process.cwd()): Promise<string> {
  const found = localStackDataDir(dataDir, cwd);
  const endpoints = await readLocalEndpoints(found);
  let answer: Response;
  try {
    answer = await fetch(new URL(LOGIN_CODES_PATH, endpoints.apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoints.token}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new TargetError(`cannot reach the local stack at ${endpoints.apiUrl}; is \`npm start\` running?`, {
      cause: error,
    });
  }
  const body = (await answer.json().catch(() => undefined)) as { url?: unknown } | undefined;
  if (answer.status !== 201 || typeof body?.url !== 'string') {
    throw new TargetError(
      `the local stack at ${endpoints.apiUrl} gave no login link (HTTP ${answer.status}); restart it (\`npm start\`) to print one`,
    );
  }
  return bannerLine('dashboard', body.url);
}

async function execute(invocation: DashboardInvocation): Promise<number> {
  if (invocation.mode === 'local') {
    write(await localDashboardLine(invocation.dataDir));
    return EXIT.success;
  }
  const target = await resolveTarget({
    url: invocation.url,
    ...(invocation.region === undefined ? {} : { region: invocation.region }),
  });
  const proxy = await startDashboardProxy({
    port: invocation.port,
    target,
    newLink: 'stop and start `tickwork dashboard --url …` again, which prints one',
  }).catch((error: unknown) => {
    throw listenError(error, invocation.port);
  });
  write(
    [
      `tickwork dashboard is serving ${target.description} on 127.0.0.1; its requests are signed with your AWS credentials`,
      bannerLine('dashboard', proxy.loginUrl()),
      `The link works once and for ${LOGIN_CODE_TTL_MS / 60_000} minutes. Press Ctrl+C to stop.`,
    ].join('\n'),
  );
  await untilStopped();
  await proxy.close();
  return EXIT.success;
}

export const dashboardCommand = defineCommand<DashboardInvocation>({
  name: 'dashboard',
  summary: COMMANDS.dashboard.summary,
  parse: parseDashboardArgs,
  execute,
});
