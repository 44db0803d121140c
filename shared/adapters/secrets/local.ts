/**
 * SecretSource for the local runtime: `<data-dir>/secrets.json` (`{"name": "value"}`), then the
 * environment variable `TICKWORK_SECRET_<NAME>`. The file is read on every lookup so an edit takes
 * effect without a restart.
 */
import { readFile } from 'node:fs/promises';
import { SecretNotFoundError } from '../../errors.ts';
import type { SecretSource } from '../../jobs/ports.ts';

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

export interface LocalSecretSourceOptions {
  /** The secrets file; absent: only the environment is consulted. */
  readonly file?: string;
  /** The environment to read `TICKWORK_SECRET_*` from (the composition root passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export class LocalSecretSource implements SecretSource {
  constructor(private readonly options: LocalSecretSourceOptions) {}

  async get(name: string): Promise<string> {
    const { file, env } = this.options;
    if (file !== undefined) {
      const fromFile = (await readSecretsFile(file))[name];
      if (fromFile !== undefined) return fromFile;
    }
    const variable = secretEnvName(name);
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    throw new SecretNotFoundError(
      name,
      `${file === undefined ? '' : `${file} and `}the environment variable ${variable}`,
    );
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
