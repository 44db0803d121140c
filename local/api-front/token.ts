/**
 * The local API's credential. In AWS the API is IAM-authorized; locally every request carries
 * `Authorization: Bearer <token>`, a random token generated on first start and kept in the data
 * directory, readable by its owner only.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the token inside the data directory. */
export const TOKEN_FILE = 'token';

/** The token file exists but holds no usable token. */
export class TokenFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`the API token file ${path} ${reason}; delete it to have a new token generated`);
    this.name = 'TokenFileError';
  }
}

const TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/** Reads `<dataDir>/token`, or creates it (32 random bytes, base64url, mode 0600) on first start. */
export async function loadOrCreateToken(
  dataDir: string,
): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, TOKEN_FILE);
  const token = randomBytes(32).toString('base64url');
  try {
    // 'wx': two processes starting together cannot both write a token.
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = (await readFile(path, 'utf8')).trim();
  if (!TOKEN_SHAPE.test(existing)) {
    throw new TokenFileError(path, 'must hold one token of 16 to 512 URL-safe or base64 characters');
  }
  // A token others can read is no credential.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { token: existing, path, created: false };
}

/** Whether an Authorization header carries exactly this bearer token, compared in constant time. */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  // Hashing first gives equal lengths, so the comparison time says nothing about the token's length.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}
