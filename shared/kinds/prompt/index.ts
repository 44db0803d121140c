export {
  CREDENTIAL_QUERY_PARAMETER,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_PROMPT_BYTES,
  type PromptConfig,
  parsePromptConfig,
  promptConfigSchema,
  SECRET_NAME_PATTERN,
} from './config.ts';
export {
  createPromptWork,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type PromptDelivery,
  type PromptDeps,
  WebhookRejectedError,
} from './deliver.ts';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  type SignatureCheck,
  signPayload,
  type VerifyOptions,
  verifySignature,
} from './signature.ts';
