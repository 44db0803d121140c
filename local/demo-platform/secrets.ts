/**
 * The demo platform's two secrets (its bearer token and the ingest signing secret), found the way the
 * local stack finds secrets (`<data-dir>/secrets.json`, then `TICKWORK_SECRET_<NAME>`), and generated
 * into secrets.json when missing, so a job that names them works on `npm start` with no manual step.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LocalSecretSource,
  SECRETS_FILE_NAME,
  SecretsFileError,
} from '../../shared/adapters/secrets/local.ts';
import { prepareDataDir, writePrivateFile } from '../data-dir.ts';

export interface EnsuredSecrets {
  /** Each name's value. */
  readonly values: Readonly<Record<string, string>>;
  /** The names that did not exist and were generated into the file. */
  readonly created: readonly string[];
  readonly file: string;
}

/**
 * Each secret's value, generating the missing ones into `<dataDir>/secrets.json`: the file is merged
 * (every other entry kept), written whole (temporary file, then rename) and readable by its owner only.
 * A malformed file is never overwritten: SecretsFileError, as the stack itself would report it.
 */
export async function ensureSecrets(
  dataDir: string,
  names: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<EnsuredSecrets> {
  const dir = await prepareDataDir(dataDir);
  const file = join(dir, SECRETS_FILE_NAME);
  const source = new LocalSecretSource({ file, env });
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of new Set(names)) {
    // check() reads and validates the file too: a malformed one throws here, before anything is written.
    if ((await source.check(name)).exists) values[name] = await source.get(name);
    else missing.push(name);
  }
  if (missing.length > 0) {
    const entries = await readEntries(file);
    for (const name of missing) {
      // 32 random bytes: as strong as the HMAC-SHA256 key and the bearer token need.
      values[name] = randomBytes(32).toString('base64url');
      entries[name] = values[name];
    }
    await writePrivateFile(file, `${JSON.stringify(entries, null, 2)}\n`);
  }
  return { values, created: missing, file };
}

async function readEntries(file: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
  }
  // LocalSecretSource.check() has just read it; it changed in between. Refuse rather than clobber.
  throw new SecretsFileError(`${file} changed while the demo platform read it; run the command again`);
}
