/**
 * The jobs custom resource's onEvent (CloudFormation's events through the Provider framework), as a
 * translation only: read the resource's properties, call the jobs-as-code use case, answer the
 * physical id. The resource holds all of a Tickwork's jobs in one `Jobs` property (a JSON string: a
 * custom resource's properties reach the handler with every scalar turned into a string, so the
 * definitions travel as one string and keep their types).
 *
 * - Create and Update upsert every job of the properties by name, as managed by `Source`; an Update
 *   deletes the jobs of the old properties that the new ones drop (a renamed job is one of them).
 * - A failed Update is rolled back by CloudFormation with another Update whose new properties are the
 *   old ones: the same path, which puts the old definitions back and deletes what the failed update added.
 * - Delete removes the jobs of the properties that the source still manages.
 * Every step is idempotent, so CloudFormation's retries of an event are harmless.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { applyDeployedJobs, deleteDeployedJobs } from '../../shared/jobs/deployed.ts';
import type { JobServiceDeps } from '../../shared/jobs/service.ts';
import { parseWith } from '../../shared/validation.ts';

/** What the Provider framework wants back; `Data` is kept tiny (CloudFormation takes 4 KB of response). */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Applied: number; readonly Deleted: number };
}

const propertiesSchema = z.lazy(() =>
  z.object({
    Source: z.string().check(z.minLength(1), z.maxLength(256)),
    Jobs: z.string(),
  }),
);

interface JobsProperties {
  readonly source: string;
  readonly jobs: readonly unknown[];
}

function jobsProperties(value: unknown, what: string): JobsProperties {
  const properties = parseWith(propertiesSchema, value, { what });
  const jobs: unknown = JSON.parse(properties.Jobs);
  if (!Array.isArray(jobs)) throw new TypeError(`${what}.Jobs must be a JSON array of job definitions`);
  return { source: properties.Source, jobs };
}

const names = (jobs: readonly unknown[]): string[] =>
  jobs.flatMap((job) => {
    const name = (job as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });

export async function onJobsEvent(
  deps: JobServiceDeps,
  event: CloudFormationCustomResourceEvent,
): Promise<OnEventResponse> {
  const current = jobsProperties(event.ResourceProperties, 'ResourceProperties');
  // The source names the resource: one per Tickwork, stable across updates (a new id would make
  // CloudFormation delete the old resource, and with it the jobs, after the update).
  const physicalId = current.source;
  if (event.RequestType === 'Delete') {
    const deleted = await deleteDeployedJobs(deps, current.source, names(current.jobs));
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Applied: 0, Deleted: deleted.length } };
  }
  const previous =
    event.RequestType === 'Update'
      ? jobsProperties(event.OldResourceProperties, 'OldResourceProperties')
      : undefined;
  // A changed source is a new resource: the old one's jobs are its to delete (CloudFormation sends it
  // a Delete once this one exists), so none of them is dropped here.
  const dropped = previous !== undefined && previous.source === current.source ? names(previous.jobs) : [];
  const outcome = await applyDeployedJobs(deps, current.source, current.jobs, dropped);
  return {
    PhysicalResourceId: physicalId,
    Data: { Applied: outcome.applied.length, Deleted: outcome.deleted.length },
  };
}
