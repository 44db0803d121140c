/** The `secrets` capability: Secrets Manager under the stage's prefix in AWS, secrets.json locally. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LocalSecretSource, secretEnvSnapshot } from '../../../shared/adapters/secrets/local.ts';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets/secrets-manager.ts';
import { loadSecretsConfig } from '../../../shared/config.ts';
import type { CapabilityProvider } from './provider.ts';

export const secrets: CapabilityProvider<'secrets'> = ({ env, config, clock }) => {
  const settings = loadSecretsConfig(env, config);
  if (config.mode === 'aws') {
    return new SecretsManagerSecretSource(new SecretsManagerClient({}), settings.secretsPrefix, clock);
  }
  return new LocalSecretSource({
    ...(settings.secretsFile === undefined ? {} : { file: settings.secretsFile }),
    // Copied once, here: the source never sees the live environment.
    env: secretEnvSnapshot(env),
  });
};
