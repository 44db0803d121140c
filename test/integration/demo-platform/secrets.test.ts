/**
 * The demo platform's secrets: found as the local stack finds them, and generated into secrets.json
 * (merged, owner-only) when missing, so jobs that name them work with no manual step.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSecrets } from '../../../local/demo-platform/secrets.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-demo-secrets-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const readSecrets = async () =>
  JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;

describe('ensureSecrets', () => {
  it('Given a secrets.json with other entries, When the two secrets are missing, Then they are generated into it, the others kept, the file owner-only, and the stack reads them', async () => {
    await writeFile(
      join(dataDir, 'secrets.json'),
      JSON.stringify({ 'demo/webhook': 'keep-me', other: 'me-too' }),
      {
        mode: 0o644,
      },
    );
    const ensured = await ensureSecrets(dataDir, ['demo-platform-token', 'demo-ingest'], {});
    expect(ensured.created).toEqual(['demo-platform-token', 'demo-ingest']);
    const file = await readSecrets();
    expect(file).toEqual({
      'demo/webhook': 'keep-me',
      other: 'me-too',
      'demo-platform-token': ensured.values['demo-platform-token'],
      'demo-ingest': ensured.values['demo-ingest'],
    });
    expect(ensured.values['demo-platform-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ensured.values['demo-ingest']).not.toBe(ensured.values['demo-platform-token']);
    expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    const stack = new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} });
    expect(await stack.get('demo-ingest')).toBe(ensured.values['demo-ingest']);
  });

  it('Given the secrets exist (one in the file, one in TICKWORK_SECRET_*), Then their values are used and the file is not rewritten', async () => {
    await writeFile(join(dataDir, 'secrets.json'), '{"demo-platform-token": "from-file"}');
    const ensured = await ensureSecrets(dataDir, ['demo-platform-token', 'demo-ingest'], {
      TICKWORK_SECRET_DEMO_INGEST: 'from-env',
    });
    expect(ensured).toMatchObject({
      created: [],
      values: { 'demo-platform-token': 'from-file', 'demo-ingest': 'from-env' },
    });
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).toBe(
      '{"demo-platform-token": "from-file"}',
    );
  });

  it('Given no data directory yet, Then it is created with the file', async () => {
    const nested = join(dataDir, 'a', '.tickwork');
    const ensured = await ensureSecrets(nested, ['demo-platform-token', 'demo-platform-token'], {});
    expect(ensured.created).toEqual(['demo-platform-token']);
    expect(Object.keys(JSON.parse(await readFile(join(nested, 'secrets.json'), 'utf8')))).toEqual([
      'demo-platform-token',
    ]);
  });

  it('Given a malformed secrets.json, Then it is refused and left as it was', async () => {
    await writeFile(join(dataDir, 'secrets.json'), '{"half": ');
    await expect(ensureSecrets(dataDir, ['demo-ingest'], {})).rejects.toMatchObject({
      name: 'SecretsFileError',
      message: expect.stringContaining('is not valid JSON'),
    });
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).toBe('{"half": ');
  });
});
