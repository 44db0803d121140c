/**
 * `tickwork webhook-receiver`: a demo receiver for prompt jobs. It listens on 127.0.0.1, prints each
 * delivery and whether its signature verifies (the secret is resolved like the local runtime does:
 * `<data-dir>/secrets.json`, then `TICKWORK_SECRET_<NAME>`), and answers 200, or 401 when the
 * signature does not verify.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  LocalSecretSource,
  SECRETS_FILE_NAME,
  secretEnvName,
  secretEnvSnapshot,
} from '../../shared/adapters/secrets/local.ts';
import type { SecretSource } from '../../shared/jobs/ports.ts';
import { SECRET_NAME_PATTERN } from '../../shared/kinds/fields.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/kinds/prompt/signature.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';

const USAGE = `usage: tickwork webhook-receiver [--port 8787] [--secret-name NAME] [--data-dir .tickwork]

Listens on 127.0.0.1 for prompt deliveries, prints each one and checks its Tickwork-Signature.

  --port N            port to listen on, 0-65535 (default 8787; 0 picks a free port)
  --secret-name NAME  the signing secret's name, as in the job's target.signingSecret; its value is
                      read from <data-dir>/secrets.json, then TICKWORK_SECRET_<NAME>. Without it,
                      signatures are not checked.
  --data-dir DIR      the local runtime's data directory (default .tickwork)
  -h, --help          show this help`;

export interface WebhookReceiverOptions {
  readonly port: number;
  readonly secretName?: string;
  readonly dataDir: string;
}

/** Most prompts are far smaller; the cap keeps a stray client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;
const PROMPT_EXCERPT_CHARS = 120;

export function parseWebhookReceiverArgs(args: string[]): WebhookReceiverOptions {
  let values: { port?: string; 'secret-name'?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        'secret-name': { type: 'string' },
        'data-dir': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    throw new UsageError(`${message}; options: --port, --secret-name, --data-dir (see --help)`, {
      cause: error,
    });
  }
  const portText = values.port ?? '8787';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535; got "${portText}"`);
  }
  const secretName = values['secret-name'];
  if (secretName !== undefined && !SECRET_NAME_PATTERN.test(secretName)) {
    throw new UsageError(
      `--secret-name must be a secret name (1-128 of A-Z a-z 0-9 / _ + = . @ -); got "${secretName}"`,
    );
  }
  const dataDir = values['data-dir'] ?? '.tickwork';
  if (dataDir.trim() === '') throw new UsageError('--data-dir must not be empty');
  return { port, dataDir, ...(secretName === undefined ? {} : { secretName }) };
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
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${options.port} is already in use on 127.0.0.1; choose another with --port`)
          : error,
      );
    });
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
  const prompt = field('prompt');
  const excerpt = prompt.length > PROMPT_EXCERPT_CHARS ? `${prompt.slice(0, PROMPT_EXCERPT_CHARS)}…` : prompt;
  const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
  const signature = Array.isArray(header) ? header[0] : header;

  const { verdict, status } = await checkSignature(options.secretName, secrets, signature, raw, now());
  print(
    `${now().toISOString()} delivery job=${field('job')} runId=${field('runId')} scheduledFor=${field('scheduledFor')} signature: ${verdict}`,
  );
  print(`  prompt: ${JSON.stringify(excerpt)}`);
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
  summary: 'run a local webhook receiver that prints prompt deliveries and checks their signatures',
  async run(args: string[]): Promise<number> {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const options = parseWebhookReceiverArgs(args);
    const file = join(options.dataDir, SECRETS_FILE_NAME);
    const secrets = new LocalSecretSource({ file, env: secretEnvSnapshot(process.env) });
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const receiver = await startWebhookReceiver(options, secrets, print);
    print(`listening on http://127.0.0.1:${receiver.port}/ (any path); Ctrl-C to stop`);
    print(
      options.secretName === undefined
        ? 'signatures are not checked: pass --secret-name NAME'
        : `checking signatures with secret "${options.secretName}" from ${file} or ${secretEnvName(options.secretName)}`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await receiver.close();
    return 0;
  },
};
