/**
 * SecretSource on AWS Secrets Manager: the secret `<prefix><name>` (e.g. `tickwork/prod/` + the name
 * a job config gives). Values are cached per warm container for a few minutes, so a busy job does not
 * pay a Secrets Manager call per run, and a rotated value is picked up soon after.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../clock.ts';
import { SecretNotFoundError } from '../../errors.ts';
import type { SecretCheck, SecretSource } from '../../jobs/ports.ts';

export const DEFAULT_SECRET_CACHE_SECONDS = 300;

export class SecretsManagerSecretSource implements SecretSource {
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly cacheSeconds = DEFAULT_SECRET_CACHE_SECONDS,
  ) {}

  async get(name: string): Promise<string> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.until > now) return cached.value;
    const secretId = `${this.prefix}${name}`;
    let value: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      value = output.SecretString;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new SecretNotFoundError(name, `Secrets Manager as "${secretId}"`);
      }
      throw error;
    }
    if (value === undefined || value === '') {
      throw new SecretNotFoundError(name, `Secrets Manager as "${secretId}", which has no string value`);
    }
    this.cache.set(name, { value, until: now + this.cacheSeconds * 1000 });
    return value;
  }

  /** DescribeSecret: the metadata only, so the caller needs no right to read the value. */
  async check(name: string): Promise<SecretCheck> {
    const secretId = `${this.prefix}${name}`;
    const where = `Secrets Manager as "${secretId}"`;
    try {
      await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return { exists: true, where };
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException')
        return { exists: false, where };
      throw error;
    }
  }
}
