/** The `checkpoints` capability: per-job checkpoint items in the jobs table (see DynamoCheckpointStore). */
import { DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import type { CapabilityProvider } from './provider.ts';

export const checkpoints: CapabilityProvider<'checkpoints'> = ({ config }) =>
  new DynamoCheckpointStore(createDocumentClient(), config.jobsTable);
