export {
  LocalSecretSource,
  type LocalSecretSourceOptions,
  SECRETS_FILE_NAME,
  SecretsFileError,
  secretEnvName,
} from './local.ts';
export { DEFAULT_SECRET_CACHE_SECONDS, SecretsManagerSecretSource } from './secrets-manager.ts';
