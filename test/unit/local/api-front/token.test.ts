import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerTokenMatches, loadOrCreateToken, TokenFileError } from '../../../../local/api-front/token.ts';

describe('bearerTokenMatches', () => {
  const token = 'Zm9vYmFyYmF6cXV4LXRva2VuLWZvci10ZXN0cw';

  it.each([
    ['the right token', `Bearer ${token}`, true],
    ['a lower-case scheme', `bearer ${token}`, true],
    ['no header', undefined, false],
    ['an empty header', '', false],
    ['a wrong token', 'Bearer nope', false],
    ['the token with a suffix', `Bearer ${token}x`, false],
    ['a token prefix', `Bearer ${token.slice(0, -1)}`, false],
    ['the Basic scheme', `Basic ${token}`, false],
    ['the bare token', token, false],
    ['an empty bearer', 'Bearer ', false],
  ])('Given %s, Then %s', (_, header, expected) => {
    expect(bearerTokenMatches(header, token)).toBe(expected);
  });
});

describe('loadOrCreateToken', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickwork-token-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Given no token file, When loaded, Then a 32-byte base64url token is written with mode 0600', async () => {
    const first = await loadOrCreateToken(dir);

    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.path).toBe(join(dir, 'token'));
    expect((await readFile(first.path, 'utf8')).trim()).toBe(first.token);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it('Given a token file, When loaded again, Then the same token is kept', async () => {
    const first = await loadOrCreateToken(dir);

    const second = await loadOrCreateToken(dir);

    expect(second).toEqual({ token: first.token, path: first.path, created: false });
  });

  it('Given a token file readable by others, When loaded, Then it is made private', async () => {
    const first = await loadOrCreateToken(dir);
    await chmod(first.path, 0o644);

    await loadOrCreateToken(dir);

    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['two tokens', 'aaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbb'],
  ])('Given a token file that is %s, When loaded, Then TokenFileError names the file', async (_, text) => {
    await writeFile(join(dir, 'token'), text);

    const loading = loadOrCreateToken(dir);

    await expect(loading).rejects.toThrow(TokenFileError);
    await expect(loadOrCreateToken(dir)).rejects.toThrow(join(dir, 'token'));
  });
});
