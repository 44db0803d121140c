import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalSecretSource,
  secretEnvName,
  secretEnvSnapshot,
} from '../../../shared/adapters/secrets/local.ts';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets/secrets-manager.ts';
import { SecretNotFoundError } from '../../../shared/errors.ts';
import { ManualClock } from '../ledger/support.ts';

/**
 * Secrets Manager cannot run here: a small server speaks the part of its JSON protocol the adapter
 * uses (GetSecretValue, ResourceNotFoundException), and counts the calls.
 */
const stored: Record<string, string> = { 'tickwork/test/demo/webhook': 'sm-value-1' };
const calls: string[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      calls.push(`${String(target)} ${input.SecretId}`);
      const value = stored[input.SecretId];
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            __type: 'ResourceNotFoundException',
            Message: "Secrets Manager can't find the specified secret.",
          }),
        );
        return;
      }
      response.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${input.SecretId}`,
          Name: input.SecretId,
          SecretString: value,
          VersionId: 'v1',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('SecretsManagerSecretSource', () => {
  it('reads <prefix><name>, caches it for the cache period, then reads again', async () => {
    // Given
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const client = new SecretsManagerClient({ endpoint, region: 'us-east-1' });
    const source = new SecretsManagerSecretSource(client, 'tickwork/test/', clock, 300);
    calls.length = 0;
    // When read twice within the cache period, and once after
    expect(await source.get('demo/webhook')).toBe('sm-value-1');
    clock.advance(299_000);
    expect(await source.get('demo/webhook')).toBe('sm-value-1');
    stored['tickwork/test/demo/webhook'] = 'sm-value-2';
    clock.advance(2_000);
    // Then
    expect(await source.get('demo/webhook')).toBe('sm-value-2');
    expect(calls).toEqual([
      'secretsmanager.GetSecretValue tickwork/test/demo/webhook',
      'secretsmanager.GetSecretValue tickwork/test/demo/webhook',
    ]);
    client.destroy();
  });

  it('turns ResourceNotFoundException into SecretNotFoundError naming the secret id', async () => {
    const client = new SecretsManagerClient({ endpoint, region: 'us-east-1' });
    const source = new SecretsManagerSecretSource(
      client,
      'tickwork/test/',
      new ManualClock('2026-03-01T12:00:00Z'),
    );
    const error = await source.get('missing').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toBe(
      'secret "missing" was not found (looked in Secrets Manager as "tickwork/test/missing")',
    );
    client.destroy();
  });
});

describe('LocalSecretSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickwork-secrets-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads secrets.json first, then TICKWORK_SECRET_<NAME>', async () => {
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ 'demo/webhook': 'from-file' }));
    const env = { TICKWORK_SECRET_DEMO_WEBHOOK: 'from-env', TICKWORK_SECRET_OTHER_KEY_1: 'other-from-env' };
    const source = new LocalSecretSource({ file, env });
    expect(await source.get('demo/webhook')).toBe('from-file');
    expect(await source.get('other-key.1')).toBe('other-from-env');
    await writeFile(file, JSON.stringify({ 'demo/webhook': 'edited' }));
    expect(await source.get('demo/webhook')).toBe('edited');
  });

  it('uses the environment alone when there is no file', async () => {
    const source = new LocalSecretSource({ file: join(dir, 'absent.json'), env: { TICKWORK_SECRET_K: 'v' } });
    expect(await source.get('k')).toBe('v');
    await expect(source.get('nope')).rejects.toThrow(
      `secret "nope" was not found (looked in ${join(dir, 'absent.json')} and the environment variable TICKWORK_SECRET_NOPE)`,
    );
  });

  it('takes only the TICKWORK_SECRET_* entries of an environment, frozen, once', () => {
    // Given an environment with secrets and unrelated variables
    const env: Record<string, string | undefined> = {
      TICKWORK_SECRET_A: 'a-value',
      TICKWORK_SECRET_EMPTY: '',
      TICKWORK_SECRETS_FILE: '/not/a/secret',
      PATH: '/usr/bin',
      AWS_SECRET_ACCESS_KEY: 'unrelated',
    };
    // When it is snapshotted
    const snapshot = secretEnvSnapshot(env);
    // Then only the secret entries are kept, in a frozen plain object that later changes do not reach
    expect(snapshot).toEqual({ TICKWORK_SECRET_A: 'a-value' });
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    env.TICKWORK_SECRET_A = 'changed';
    expect(snapshot.TICKWORK_SECRET_A).toBe('a-value');
  });

  it('does not read the environment object again after construction', async () => {
    // Given a source built from an environment object
    const env: Record<string, string> = { TICKWORK_SECRET_LATE: 'first' };
    const source = new LocalSecretSource({ file: join(dir, 'absent.json'), env });
    // When the object changes afterwards
    env.TICKWORK_SECRET_LATE = 'second';
    env.TICKWORK_SECRET_ADDED = 'added';
    // Then lookups answer from the values it was built with
    expect(await source.get('late')).toBe('first');
    await expect(source.get('added')).rejects.toThrow('TICKWORK_SECRET_ADDED');
  });

  it.each([
    ['not JSON', '{"a": "s3cr3t-value",', 'is not valid JSON'],
    ['not an object', '["s3cr3t-value"]', 'must hold a JSON object'],
    ['a non-string value', '{"a": {"v": "s3cr3t-value"}}', 'the value of "a" must be a string'],
  ])('refuses a secrets file that is %s without quoting its content', async (_case, content, rule) => {
    const file = join(dir, `bad-${rule.length}.json`);
    await writeFile(file, content);
    const error = await new LocalSecretSource({ file, env: {} }).get('a').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(rule);
    expect((error as Error).message).not.toContain('s3cr3t-value');
  });

  it.each([
    ['demo/webhook', 'TICKWORK_SECRET_DEMO_WEBHOOK'],
    ['my-key', 'TICKWORK_SECRET_MY_KEY'],
    ['a.b@c+d=e', 'TICKWORK_SECRET_A_B_C_D_E'],
  ])('maps %s to %s', (name, variable) => {
    expect(secretEnvName(name)).toBe(variable);
  });
});
