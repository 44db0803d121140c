/**
 * The jobs file's port (shared/jobs/file/apply.ts) over the typed client: `tickwork apply`, `export`
 * and `tickwork local` write jobs through the API, so a file's jobs meet every rule and use case a
 * request meets. A target named badly (`--url`) is a usage error, as for every API command.
 */
import { InvalidTargetError, type Job, type TickworkClient } from '../client/index.ts';
import type { JobsPort } from '../shared/jobs/file/apply.ts';
import type { ShownJob } from '../shared/jobs/file/compare.ts';
import { UsageError } from './usage-error.ts';

export function clientJobsPort(client: TickworkClient): JobsPort {
  return {
    list: () => listAll(client),
    create: async (definition) => (await targeted(client.jobs.create(definition))).warnings ?? [],
    put: async (definition) => (await targeted(client.jobs.put(definition))).warnings ?? [],
    delete: (name) => targeted(client.jobs.delete(name)),
  };
}

/** Every job the API lists, page after page. */
export async function listAll(client: TickworkClient, kind?: Job['kind']): Promise<ShownJob[]> {
  const jobs: ShownJob[] = [];
  const query = kind === undefined ? {} : { kind };
  await targeted(
    (async () => {
      for await (const job of client.jobs.list(query)) jobs.push(job);
    })(),
  );
  return jobs;
}

async function targeted<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
