/**
 * `tickwork webhook-receiver`: a demo receiver for prompt jobs. It listens on 127.0.0.1, prints each
 * delivery and whether its signature verifies (the secret is resolved like the local runtime does:
 * `<data-dir>/secrets.json`, then `TICKWORK_SECRET_<NAME>`), and answers 200, or 401 when the
 * signature does not verify. A secret that does not exist yet is warned about at start; it is read
 * again for every delivery, so adding it later works without a restart.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  LocalSecretSource,
  SECRETS_FILE_NAME,
  secretEnvName,
  secretEnvSnapshot,
} from '../../shared/adapters/secrets/local.ts';
import type { SecretSource } from '../../shared/jobs/ports.ts';
import { SECRET_NAME_PATTERN } from '../../shared/kinds/fields.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/kinds/signature.ts';
import { CLI_ENV, type Env, namedDataDir } from '../api-command.ts';
import { act, isHelp, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { localDataDir } from '../data-dir.ts';
import { listenError, untilStopped } from '../listening.ts';
import type { Command } from '../main.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';

export interface WebhookReceiverOptions {
  readonly port: number;
  readonly secretName?: string;
  /** Named by --data-dir or TICKWORK_DATA_DIR; otherwise the running stack's, else the project's. */
  readonly dataDir?: string;
}

interface ReceiverFlags {
  readonly port?: string;
  readonly secretName?: string;
  readonly dataDir?: string;
}

/** Most prompts are far smaller; the cap keeps a stray client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;
/** How much of each field of a delivery is printed. */
const EXCERPT_CHARS = 120;
/** The fields every delivery carries, printed on its first line. */
const RUN_FIELDS: ReadonlySet<string> = new Set(['job', 'runId', 'scheduledFor']);

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

export function parseWebhookReceiverArgs(args: string[], env: Env = {}): Parsed<WebhookReceiverOptions> {
  return parseCommandLine<WebhookReceiverOptions>(['webhook-receiver', ...args], (root, done) => {
    const receiver = root
      .command('webhook-receiver')
      .summary(COMMANDS['webhook-receiver'].summary)
      .description(
        'Listens on 127.0.0.1 for prompt deliveries, prints each one and checks its Tickwork-Signature.',
      );
    valueOption(receiver, '--port <N>', 'port to listen on, 0-65535 (default 8787; 0 picks a free port)');
    valueOption(
      receiver,
      '--secret-name <NAME>',
      "the signing secret's name, as in the job's target.signingSecret; its value is read from\n" +
        '<data-dir>/secrets.json, then TICKWORK_SECRET_<NAME>. Without it, signatures are not checked.',
    );
    valueOption(
      receiver,
      '--data-dir <DIR>',
      `the local stack's data directory (or ${CLI_ENV.dataDir}; default: the running stack's, else the project's .tickwork)`,
    );
    act<ReceiverFlags, WebhookReceiverOptions>(receiver, done, (_, values) => {
      const portText = values.port ?? '8787';
      const port = Number(portText);
      if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
        throw new UsageError(`--port must be a whole number from 0 to 65535; got "${portText}"`);
      }
      const secretName = values.secretName;
      if (secretName !== undefined && !SECRET_NAME_PATTERN.test(secretName)) {
        throw new UsageError(
          `--secret-name must be a secret name (1-128 of A-Z a-z 0-9 / _ + = . @ -); got "${secretName}"`,
        );
      }
      if (values.dataDir !== undefined && values.dataDir.trim() === '') {
        throw new UsageError('--data-dir must not be empty');
      }
      const dataDir = namedDataDir(values.dataDir, env);
      return {
        port,
        ...(secretName === undefined ? {} : { secretName }),
        ...(dataDir === undefined ? {} : { dataDir }),
      };
    });
  });
}

/**
 * The warning to print at start when the secret cannot be read (it does not exist yet, or the
 * secrets file is malformed): where it was looked for, and that signatures cannot be verified until
 * it is there. Undefined when the secret is there.
 */
export async function secretWarning(secrets: SecretSource, secretName: string): Promise<string | undefined> {
  try {
    await secrets.get(secretName);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${reason}; signatures cannot be verified until it exists`;
  }
}

export interface RunningReceiver {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the receiver. `print` gets one line per event; `now` is the clock signatures are checked
 * against (the receiver's own wall clock in the CLI).
 */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions,
  secrets: SecretSource,
  print: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<RunningReceiver> {
  const server = createServer((request, response) => {
    handle(request, response, options, secrets, print, now).catch((error: unknown) => {
      print(`error: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) answer(response, 500, { error: 'receiver error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, options.port)));
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: WebhookReceiverOptions,
  secrets: SecretSource,
  print: (line: string) => void,
  now: () => Date,
): Promise<void> {
  if (request.method !== 'POST') {
    answer(response, 405, { error: 'deliveries are POST requests' });
    return;
  }
  const raw = await readBody(request);
  if (raw === undefined) {
    print(`rejected: a body over ${MAX_BODY_BYTES} bytes`);
    answer(response, 413, { error: 'body too large' });
    return;
  }
  let delivery: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      delivery = parsed as Record<string, unknown>;
    }
  } catch {
    print('rejected: the body is not JSON');
    answer(response, 400, { error: 'the body is not JSON' });
    return;
  }
  const field = (name: string) => (typeof delivery[name] === 'string' ? (delivery[name] as string) : '?');
  const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
  const signature = Array.isArray(header) ? header[0] : header;

  const { verdict, status } = await checkSignature(options.secretName, secrets, signature, raw, now());
  print(
    `${now().toISOString()} delivery job=${field('job')} runId=${field('runId')} scheduledFor=${field('scheduledFor')} signature: ${verdict}`,
  );
  // The rest of the body, whatever the kind delivers (a prompt and its metadata, a task's payload…).
  for (const [name, value] of Object.entries(delivery)) {
    if (!RUN_FIELDS.has(name)) print(`  ${name}: ${excerpt(JSON.stringify(value) ?? 'null')}`);
  }
  answer(response, status, status === 200 ? { received: true } : { error: `signature ${verdict}` });
}

async function checkSignature(
  secretName: string | undefined,
  secrets: SecretSource,
  signature: string | undefined,
  raw: Buffer,
  now: Date,
): Promise<{ verdict: string; status: number }> {
  if (secretName === undefined) return { verdict: 'not checked (no --secret-name)', status: 200 };
  let secret: string;
  try {
    secret = await secrets.get(secretName);
  } catch (error) {
    return {
      verdict: `cannot be checked: ${error instanceof Error ? error.message : String(error)}`,
      status: 401,
    };
  }
  const check = verifySignature(signature, raw, secret, { now });
  return check.valid
    ? { verdict: 'valid', status: 200 }
    : { verdict: `INVALID (${check.reason})`, status: 401 };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export const webhookReceiverCommand: Command = {
  summary: COMMANDS['webhook-receiver'].summary,
  async run(args: string[]): Promise<number> {
    const parsed = parseWebhookReceiverArgs(args, process.env);
    if (isHelp(parsed)) {
      process.stdout.write(parsed.help);
      return 0;
    }
    const options = parsed;
    const file = join(options.dataDir ?? localDataDir(process.cwd()), SECRETS_FILE_NAME);
    const secrets = new LocalSecretSource({ file, env: secretEnvSnapshot(process.env) });
    if (options.secretName !== undefined) {
      const warning = await secretWarning(secrets, options.secretName);
      if (warning !== undefined) process.stderr.write(`warning: ${warning}\n`);
    }
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const receiver = await startWebhookReceiver(options, secrets, print);
    print(`listening on http://127.0.0.1:${receiver.port}/ (any path); Ctrl-C to stop`);
    print(
      options.secretName === undefined
        ? 'signatures are not checked: pass --secret-name NAME'
        : `checking signatures with secret "${options.secretName}" from ${file} or ${secretEnvName(options.secretName)}`,
    );
    await untilStopped();
    await receiver.close();
    return 0;
  },
};
