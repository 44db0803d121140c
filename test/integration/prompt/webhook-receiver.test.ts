import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseWebhookReceiverArgs,
  type RunningReceiver,
  startWebhookReceiver,
  webhookReceiverCommand,
} from '../../../cli/commands/webhook-receiver.ts';
import { UsageError } from '../../../cli/usage-error.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { signPayload } from '../../../shared/kinds/signature.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';

/** A slot delivered on time (this minute): a slot months old would be past its starting deadline, and recorded missed. */
const SLOT = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();

const SECRET_VALUE = 'whsec-receiver-9f2c';

let engine: Engine;
let dataDir: string;
let secrets: LocalSecretSource;

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-receiver-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': SECRET_VALUE }));
  secrets = new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} });
});
afterAll(async () => {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function withReceiver(
  secretName: string | undefined,
  test: (receiver: RunningReceiver, printed: string[]) => Promise<void>,
): Promise<void> {
  const printed: string[] = [];
  const receiver = await startWebhookReceiver(
    { port: 0, dataDir, ...(secretName === undefined ? {} : { secretName }) },
    secrets,
    (line) => printed.push(line),
  );
  try {
    await test(receiver, printed);
  } finally {
    await receiver.close();
  }
}

describe('tickwork webhook-receiver: options', () => {
  it.each([
    [['--port', 'abc'], '--port must be a whole number from 0 to 65535; got "abc"'],
    [['--port', '70000'], 'got "70000"'],
    [['--port', '-1'], '--port'],
    [['--secret-name', 'bad name'], '--secret-name must be a secret name'],
    [['--data-dir', ''], '--data-dir must not be empty'],
    [['--bogus'], 'unknown option --bogus; the options are --port, --secret-name, --data-dir, --help'],
    [['stray'], 'stray'],
  ])('refuses %j with a one-line usage error', async (args, message) => {
    const error = await webhookReceiverCommand.run(args).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('defaults to port 8787, and to the data directory found from the current one up (no --data-dir)', () => {
    expect(parseWebhookReceiverArgs([])).toEqual({ port: 8787 });
    expect(
      parseWebhookReceiverArgs(['--port', '9000', '--secret-name', 'demo/webhook', '--data-dir', 'd']),
    ).toEqual({
      port: 9000,
      secretName: 'demo/webhook',
      dataDir: 'd',
    });
  });
});

describe('tickwork webhook-receiver: deliveries', () => {
  it('prints a real delivery with a valid signature and answers 200', async () => {
    await withReceiver('demo/webhook', async (receiver, printed) => {
      // Given a prompt job pointing at the receiver
      const clock = new ManualClock(new Date());
      const log = captureLog();
      const deps = runDeps(engine, clock, log.logger);
      const { jobs } = deps;
      const job = promptJob('receiver-demo', {
        config: {
          prompt: 'Draft the weekly status update.',
          target: {
            type: 'webhook',
            url: `http://127.0.0.1:${receiver.port}/`,
            signingSecret: 'demo/webhook',
          },
        },
      });
      await jobs.create(job);
      const work = kindWork(promptKind, promptWork, {
        secrets,
        http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
      });
      // When it runs
      const outcome = await executeRun(deps, { job: job.name, scheduledTime: SLOT }, work);
      // Then
      expect(outcome.outcome).toBe('succeeded');
      const runId = outcome.outcome === 'succeeded' ? outcome.run.runId : '';
      expect(printed[0]).toContain(
        `delivery job=receiver-demo runId=${runId} scheduledFor=${SLOT} signature: valid`,
      );
      expect(printed[1]).toBe('  prompt: "Draft the weekly status update."');
      expect(printed.join('\n')).not.toContain(SECRET_VALUE);
    });
  });

  it.each([
    [
      'a wrong signature',
      () => signPayload('not-the-secret', Math.floor(Date.now() / 1000), '{}'),
      'INVALID (the signature does not match)',
    ],
    [
      'an old signature',
      () => signPayload(SECRET_VALUE, Math.floor(Date.now() / 1000) - 3600, '{}'),
      'INVALID (the timestamp',
    ],
    ['no signature', () => undefined, 'INVALID (no signature header)'],
  ])('answers 401 to %s and says why', async (_case, header, verdict) => {
    await withReceiver('demo/webhook', async (receiver, printed) => {
      const value = header();
      const response = await fetch(`http://127.0.0.1:${receiver.port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(value === undefined ? {} : { 'Tickwork-Signature': value }),
        },
        body: '{}',
      });
      expect(response.status).toBe(401);
      expect(printed[0]).toContain(`signature: ${verdict}`);
    });
  });

  it('answers 401 when the secret cannot be found, naming where it looked', async () => {
    await withReceiver('no/such-secret', async (receiver, printed) => {
      const response = await fetch(`http://127.0.0.1:${receiver.port}/`, {
        method: 'POST',
        body: '{"job":"j"}',
      });
      expect(response.status).toBe(401);
      expect(printed[0]).toContain('signature: cannot be checked: secret "no/such-secret" was not found');
    });
  });

  it('answers 200 without checking when no secret name is given', async () => {
    await withReceiver(undefined, async (receiver, printed) => {
      const response = await fetch(`http://127.0.0.1:${receiver.port}/x`, {
        method: 'POST',
        body: '{"job":"j"}',
      });
      expect(response.status).toBe(200);
      expect(printed[0]).toContain('job=j runId=? scheduledFor=? signature: not checked (no --secret-name)');
    });
  });

  it('answers 400 to a body that is not JSON and 405 to a GET', async () => {
    await withReceiver(undefined, async (receiver) => {
      const url = `http://127.0.0.1:${receiver.port}/`;
      expect((await fetch(url, { method: 'POST', body: 'hello' })).status).toBe(400);
      expect((await fetch(url)).status).toBe(405);
    });
  });

  it('reports a port in use as a usage error', async () => {
    await withReceiver(undefined, async (receiver) => {
      await expect(
        startWebhookReceiver({ port: receiver.port, dataDir }, secrets, () => undefined),
      ).rejects.toThrow(`port ${receiver.port} is already in use`);
    });
  });
});
