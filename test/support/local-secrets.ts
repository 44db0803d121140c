/** Secrets as the local stack keeps them: a data directory's secrets.json, read by LocalSecretSource. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSecretSource } from '../../shared/adapters/secrets/local.ts';

export interface LocalSecrets {
  /** The temporary data directory; secrets.json is in it. */
  readonly dir: string;
  /** Reads the file only (no TICKWORK_SECRET_* from the test's environment). */
  readonly source: LocalSecretSource;
  remove(): Promise<void>;
}

/** A fresh temporary data directory whose secrets.json holds `secrets`. */
export async function writeLocalSecrets(
  prefix: string,
  secrets: Record<string, string>,
): Promise<LocalSecrets> {
  const dir = await mkdtemp(join(tmpdir(), `tickwork-${prefix}-`));
  const file = join(dir, 'secrets.json');
  await writeFile(file, JSON.stringify(secrets));
  return {
    dir,
    source: new LocalSecretSource({ file, env: {} }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
