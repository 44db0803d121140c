import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsFileError, loadOrCreateCredentials } from '../../../local/credentials.ts';

describe('loadOrCreateCredentials', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickwork-credentials-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Given no credentials file, When loaded, Then random credentials are written with mode 0600', async () => {
    const first = await loadOrCreateCredentials(dir);

    expect(first.created).toBe(true);
    expect(first.credentials.accessKeyId).toMatch(/^LOCAL[0-9A-F]{16}$/);
    expect(first.credentials.secretAccessKey).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(first.path).toBe(join(dir, 'credentials.json'));
    expect(JSON.parse(await readFile(first.path, 'utf8'))).toEqual(first.credentials);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it('Given two data directories, Then each gets its own credentials', async () => {
    const other = await mkdtemp(join(tmpdir(), 'tickwork-credentials-'));
    try {
      const [a, b] = [await loadOrCreateCredentials(dir), await loadOrCreateCredentials(other)];

      expect(a.credentials.accessKeyId).not.toBe(b.credentials.accessKeyId);
      expect(a.credentials.secretAccessKey).not.toBe(b.credentials.secretAccessKey);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('Given a credentials file, When loaded again, Then the same credentials are kept', async () => {
    const first = await loadOrCreateCredentials(dir);

    const second = await loadOrCreateCredentials(dir);

    expect(second).toEqual({ credentials: first.credentials, path: first.path, created: false });
  });

  it('Given a credentials file readable by others, When loaded, Then it is made private', async () => {
    const first = await loadOrCreateCredentials(dir);
    await chmod(first.path, 0o644);

    await loadOrCreateCredentials(dir);

    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', 'AKID:secret', /is not JSON/],
    ['without a secret', '{"accessKeyId": "LOCAL0123456789ABCDEF"}', /"secretAccessKey"/],
    ['with a short key id', `{"accessKeyId": "AK", "secretAccessKey": "${'s'.repeat(40)}"}`, /"accessKeyId"/],
    ['an array', '[]', /"accessKeyId"/],
  ])(
    'Given a credentials file %s, When loaded, Then CredentialsFileError names the file and the rule',
    async (_, text, rule) => {
      await writeFile(join(dir, 'credentials.json'), text);

      const loading = loadOrCreateCredentials(dir);

      await expect(loading).rejects.toThrow(CredentialsFileError);
      await expect(loadOrCreateCredentials(dir)).rejects.toThrow(rule);
      await expect(loadOrCreateCredentials(dir)).rejects.toThrow(join(dir, 'credentials.json'));
    },
  );
});
