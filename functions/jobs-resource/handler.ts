/**
 * Composition root of the jobs custom resource's onEvent function: the job service wired once at cold
 * start, as the API wires it (functions/commons/job-service.ts); each event is translated by on-event.ts.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createJobServiceRoot } from '../commons/job-service.ts';
import { type OnEventResponse, onJobsEvent } from './on-event.ts';

const { deps, log, instrument } = createJobServiceRoot({ ...process.env });

export const handler = instrument(
  async (event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> => {
    const fields = { requestType: event.RequestType, logicalId: event.LogicalResourceId };
    try {
      const response = await onJobsEvent(deps, event);
      log.info('jobs applied', { ...fields, ...response.Data });
      return response;
    } catch (error) {
      // The Provider framework reports the message to CloudFormation as the failure's reason.
      log.error('jobs not applied', {
        ...fields,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  },
);
