/**
 * The AWS credentials of a local stack: an access key id and secret access key generated on first
 * start and kept in the data directory (readable by its owner only), like the API's token. The
 * Scheduler emulator, the Lambda Invoke endpoint and dynalite accept only requests SigV4-signed with
 * them; the stack gives them to its functions and writes them to endpoints.json for its user.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the credentials inside the data directory. */
export const CREDENTIALS_FILE = 'credentials.json';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The credentials file exists but holds no usable credentials. */
export class CredentialsFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`the credentials file ${path} ${reason}; delete it to have new credentials generated`);
    this.name = 'CredentialsFileError';
  }
}

// AWS's own bounds for an access key id are 16 to 128 characters; these shapes also keep the values
// safe to paste into a shell or an AWS CLI profile.
const ACCESS_KEY_SHAPE = /^[A-Z0-9]{16,128}$/;
const SECRET_SHAPE = /^[A-Za-z0-9_/+=-]{32,128}$/;

/** Reads `<dataDir>/credentials.json`, or creates it (random values, mode 0600) on first start. */
export async function loadOrCreateCredentials(
  dataDir: string,
): Promise<{ credentials: LocalCredentials; path: string; created: boolean }> {
  const path = join(dataDir, CREDENTIALS_FILE);
  const credentials: LocalCredentials = {
    // 'LOCAL' says where the key belongs when it shows up in a log or a shell history.
    accessKeyId: `LOCAL${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  try {
    // 'wx': two processes starting together cannot both write credentials.
    await writeFile(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { credentials, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = parseCredentials(path, await readFile(path, 'utf8'));
  // Credentials others can read are no credentials.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { credentials: existing, path, created: false };
}

function parseCredentials(path: string, text: string): LocalCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsFileError(path, 'is not JSON');
  }
  const { accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_SHAPE.test(accessKeyId)) {
    throw new CredentialsFileError(
      path,
      'must hold an "accessKeyId" of 16 to 128 upper-case letters and digits',
    );
  }
  if (typeof secretAccessKey !== 'string' || !SECRET_SHAPE.test(secretAccessKey)) {
    throw new CredentialsFileError(
      path,
      'must hold a "secretAccessKey" of 32 to 128 URL-safe or base64 characters',
    );
  }
  return { accessKeyId, secretAccessKey };
}
