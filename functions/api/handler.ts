/**
 * Composition root of the API function: configuration read once, AWS clients created once, the
 * service's dependencies wired once at cold start (functions/commons/job-service.ts, shared with the
 * jobs custom resource); the exported handler is the middy chain. The local runtime loads this same
 * module with local endpoints in the environment.
 */
import { DynamoCheckpointStore } from '../../shared/adapters/dynamodb/checkpoints.ts';
import { createJobServiceRoot } from '../commons/job-service.ts';
import { createApiHandler } from './app.ts';
import type { ApiDeps } from './routes.ts';

const { config, log, instrument, documentClient, deps: service } = createJobServiceRoot({ ...process.env });

const deps: ApiDeps = {
  ...service,
  checkpoints: new DynamoCheckpointStore(documentClient, config.jobsTable),
};

export const handler = instrument(createApiHandler(deps, { log }));
