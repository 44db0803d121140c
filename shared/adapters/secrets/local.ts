/**
 * SecretSource for the local runtime: `<data-dir>/secrets.json` (`{"name": "value"}`), then the
 * environment variable `TICKWORK_SECRET_<NAME>`. The file is read on every lookup so an edit takes
 * effect without a restart.
 */
import { readFile } from 'node:fs/promises';
import { SecretNotFoundError } from '../../errors.ts';
import type { SecretCheck, SecretSource } from '../../jobs/ports.ts';

export const SECRETS_FILE_NAME = 'secrets.json';

/** `demo/webhook-key` → `TICKWORK_SECRET_DEMO_WEBHOOK_KEY`: upper case, anything else than A-Z 0-9 becomes `_`. */
export function secretEnvName(name: string): string {
  return `TICKWORK_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** secrets.json is malformed. The message never quotes the file's content: it holds secret values. */
export class SecretsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsFileError';
  }
}

const SECRET_ENV_PREFIX = 'TICKWORK_SECRET_';

/**
 * The `TICKWORK_SECRET_*` entries of an environment, copied once into a frozen plain object. A
 * composition root passes this, not `process.env`: nothing below a handler reads the live environment.
 */
export function secretEnvSnapshot(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(SECRET_ENV_PREFIX) && value !== undefined && value !== '') snapshot[name] = value;
  }
  return Object.freeze(snapshot);
}

export interface LocalSecretSourceOptions {
  /** The secrets file; absent: only the environment is consulted. */
  readonly file?: string;
  /** `TICKWORK_SECRET_*` values, as {@link secretEnvSnapshot} takes them from the environment at start. */
  readonly env: Readonly<Record<string, string>>;
}

export class LocalSecretSource implements SecretSource {
  private readonly file: string | undefined;
  private readonly env: Readonly<Record<string, string>>;

  constructor(options: LocalSecretSourceOptions) {
    this.file = options.file;
    // Copied at construction: later changes to the object passed in are not seen.
    this.env = secretEnvSnapshot(options.env);
  }

  async get(name: string): Promise<string> {
    const found = await this.lookup(name);
    if (found.value !== undefined) return found.value;
    throw new SecretNotFoundError(name, found.where);
  }

  async check(name: string): Promise<SecretCheck> {
    const found = await this.lookup(name);
    return { exists: found.value !== undefined, where: found.where };
  }

  private async lookup(name: string): Promise<{ value: string | undefined; where: string }> {
    const { file, env } = this;
    const variable = secretEnvName(name);
    const where = `${file === undefined ? '' : `${file} and `}the environment variable ${variable}`;
    const fromFile = file === undefined ? undefined : (await readSecretsFile(file))[name];
    return { value: fromFile ?? env[variable], where };
  }
}

async function readSecretsFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it could be a secret, so it is dropped.
    throw new SecretsFileError(`${file} is not valid JSON; expected {"secret-name": "value", ...}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretsFileError(`${file} must hold a JSON object {"secret-name": "value", ...}`);
  }
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') {
      throw new SecretsFileError(`${file}: the value of "${name}" must be a string`);
    }
    secrets[name] = value;
  }
  return secrets;
}
