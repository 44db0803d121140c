/**
 * `tickwork demo-platform`: the demo AI-operations platform and model endpoint that the telemetry and
 * calibration kinds run against locally (local/demo-platform/). It finds its two secrets the way the
 * local stack does (`<data-dir>/secrets.json`, then `TICKWORK_SECRET_<NAME>`) and generates the
 * missing ones into secrets.json, so jobs that name them work on `npm start` with no manual step.
 */
import { join } from 'node:path';
import { MAX_PROMPTS } from '../../local/demo-platform/calibration.ts';
import { DEMO_ROUTES, routeLine } from '../../local/demo-platform/routes.ts';
import { ensureSecrets } from '../../local/demo-platform/secrets.ts';
import { startDemoPlatform } from '../../local/demo-platform/server.ts';
import { MAX_ROWS_PER_MINUTE } from '../../local/demo-platform/telemetry.ts';
import { SECRETS_FILE_NAME, secretEnvSnapshot } from '../../shared/adapters/secrets/local.ts';
import { SECRET_NAME_PATTERN } from '../../shared/kinds/fields.ts';
import { CLI_ENV, type Env, namedDataDir } from '../api-command.ts';
import { act, isHelp, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { localDataDir } from '../data-dir.ts';
import { listenError, untilStopped } from '../listening.ts';
import type { Command } from '../main.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';

export const DEFAULT_DEMO_PORT = 8789;
export const DEFAULT_TOKEN_SECRET = 'demo-platform-token';
export const DEFAULT_SIGNING_SECRET = 'demo-ingest';
/** Ten minutes: far past any per-prompt timeout a calibration job would set. */
const MAX_LATENCY_MS = 600_000;

export interface DemoPlatformCommandOptions {
  readonly port: number;
  readonly modelLatencyMs: number;
  readonly failRate: number;
  readonly prompts: number;
  readonly rowsPerMinute: number;
  readonly tokenSecret: string;
  readonly signingSecret: string;
  /** Named by --data-dir or TICKWORK_DATA_DIR; otherwise the running stack's, else the project's. */
  readonly dataDir?: string;
}

interface Flags {
  readonly port?: string;
  readonly modelLatencyMs?: string;
  readonly failRate?: string;
  readonly prompts?: string;
  readonly rowsPerMinute?: string;
  readonly tokenSecret?: string;
  readonly signingSecret?: string;
  readonly dataDir?: string;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}; got "${text}"`);
  }
  return value;
}

function secretName(flag: string, text: string): string {
  if (!SECRET_NAME_PATTERN.test(text)) {
    throw new UsageError(`${flag} must be a secret name (1-128 of A-Z a-z 0-9 / _ + = . @ -); got "${text}"`);
  }
  return text;
}

export function parseDemoPlatformArgs(args: string[], env: Env = {}): Parsed<DemoPlatformCommandOptions> {
  return parseCommandLine<DemoPlatformCommandOptions>(['demo-platform', ...args], (root, done) => {
    const command = root
      .command('demo-platform')
      .summary(COMMANDS['demo-platform'].summary)
      .description(
        'Serves on 127.0.0.1 what an AI-operations platform and a model endpoint would, for telemetry and\n' +
          'calibration jobs: telemetry rows, calibration prompts, a model registry, a signed ingest and an\n' +
          'OpenAI-compatible /v1/chat/completions. Routes need Authorization: Bearer <the token secret>;\n' +
          '/ingest needs a valid Tickwork-Signature (the signing secret). Missing secrets are generated\n' +
          'into <data-dir>/secrets.json.',
      );
    valueOption(
      command,
      '--port <N>',
      `port to listen on, 0-65535 (default ${DEFAULT_DEMO_PORT}; 0 picks a free port)`,
    );
    valueOption(
      command,
      '--model-latency-ms <N>',
      `how long the model takes per answer, 0-${MAX_LATENCY_MS} (default 0)`,
    );
    valueOption(
      command,
      '--fail-rate <R>',
      'share of model requests answered 429 with Retry-After: 1, 0-1 (default 0); deterministic: request n fails when floor(n*R) > floor((n-1)*R)',
    );
    valueOption(
      command,
      '--prompts <N>',
      `prompts per calibration run and per registry model, 1-${MAX_PROMPTS} (default 5)`,
    );
    valueOption(
      command,
      '--rows-per-minute <N>',
      `telemetry rows per minute of a window, per table, 1-${MAX_ROWS_PER_MINUTE} (default 10)`,
    );
    valueOption(
      command,
      '--token-secret <NAME>',
      `the bearer token's secret name (default ${DEFAULT_TOKEN_SECRET})`,
    );
    valueOption(
      command,
      '--signing-secret <NAME>',
      `the secret /ingest verifies signatures with (default ${DEFAULT_SIGNING_SECRET})`,
    );
    valueOption(
      command,
      '--data-dir <DIR>',
      `the local stack's data directory (or ${CLI_ENV.dataDir}; default: the running stack's, else the project's .tickwork)`,
    );
    act<Flags, DemoPlatformCommandOptions>(command, done, (_, values) => {
      const failText = values.failRate ?? '0';
      const failRate = Number(failText);
      if (!/^(0|1)(\.\d+)?$|^\.\d+$/.test(failText) || failRate > 1) {
        throw new UsageError(`--fail-rate must be a number from 0 to 1 (e.g. 0.1); got "${failText}"`);
      }
      if (values.dataDir !== undefined && values.dataDir.trim() === '') {
        throw new UsageError('--data-dir must not be empty');
      }
      const dataDir = namedDataDir(values.dataDir, env);
      return {
        port: wholeNumber('--port', values.port ?? String(DEFAULT_DEMO_PORT), 0, 65_535),
        modelLatencyMs: wholeNumber('--model-latency-ms', values.modelLatencyMs ?? '0', 0, MAX_LATENCY_MS),
        failRate,
        prompts: wholeNumber('--prompts', values.prompts ?? '5', 1, MAX_PROMPTS),
        rowsPerMinute: wholeNumber('--rows-per-minute', values.rowsPerMinute ?? '10', 1, MAX_ROWS_PER_MINUTE),
        tokenSecret: secretName('--token-secret', values.tokenSecret ?? DEFAULT_TOKEN_SECRET),
        signingSecret: secretName('--signing-secret', values.signingSecret ?? DEFAULT_SIGNING_SECRET),
        ...(dataDir === undefined ? {} : { dataDir }),
      };
    });
  });
}

export const demoPlatformCommand: Command = {
  summary: COMMANDS['demo-platform'].summary,
  async run(args: string[]): Promise<number> {
    const parsed = parseDemoPlatformArgs(args, process.env);
    if (isHelp(parsed)) {
      process.stdout.write(parsed.help);
      return 0;
    }
    const options = parsed;
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const dataDir = options.dataDir ?? localDataDir(process.cwd());
    const secrets = await ensureSecrets(
      dataDir,
      [options.tokenSecret, options.signingSecret],
      secretEnvSnapshot(process.env),
    );
    for (const name of secrets.created) print(`generated secret "${name}" into ${secrets.file}`);
    let platform: Awaited<ReturnType<typeof startDemoPlatform>>;
    try {
      platform = await startDemoPlatform({
        port: options.port,
        token: secrets.values[options.tokenSecret] as string,
        signingSecret: secrets.values[options.signingSecret] as string,
        modelLatencyMs: options.modelLatencyMs,
        failRate: options.failRate,
        prompts: options.prompts,
        rowsPerMinute: options.rowsPerMinute,
        print,
      });
    } catch (error) {
      throw listenError(error, options.port);
    }
    print(`demo platform listening on ${platform.url} (Ctrl-C to stop)`);
    for (const route of DEMO_ROUTES) {
      const auth = route.auth === 'bearer' ? 'bearer token' : route.auth === 'signature' ? 'signed' : 'open';
      print(`  ${routeLine(route).padEnd(62)} ${route.what} [${auth}]`);
    }
    print(
      `in job configs: authSecret / apiKeySecret "${options.tokenSecret}", signingSecret "${options.signingSecret}" (values in ${join(dataDir, SECRETS_FILE_NAME)})`,
    );
    print(
      `model: latency ${options.modelLatencyMs} ms, fail rate ${options.failRate}; ${options.prompts} prompts per calibration run; ${options.rowsPerMinute} telemetry rows per minute per table`,
    );
    await untilStopped();
    await platform.close();
    return 0;
  },
};
