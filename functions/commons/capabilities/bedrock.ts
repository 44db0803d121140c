/**
 * The `bedrock` capability: the Bedrock Runtime client, created once per container. Its endpoint is the
 * SDK's own resolution, which honours `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (a local stand-in).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockConverse } from '../../../shared/adapters/bedrock/converse.ts';
import type { CapabilityProvider } from './provider.ts';

export const bedrock: CapabilityProvider<'bedrock'> = () =>
  new BedrockConverse(new BedrockRuntimeClient({ maxAttempts: 1 }));
