export {
  LocalSecretSource,
  type LocalSecretSourceOptions,
  SECRETS_FILE_NAME,
  SecretsFileError,
  secretEnvName,
  secretEnvSnapshot,
} from './local.ts';
export { DEFAULT_SECRET_CACHE_SECONDS, SecretsManagerSecretSource } from './secrets-manager.ts';
