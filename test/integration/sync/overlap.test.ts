/**
 * A sync run reads the next page as soon as a page's answer names its cursor, while that page is sent
 * and committed, and sends the next page only once the commit returned: the read's time is hidden
 * behind the send and the commit, and the order the checkpoint's promise rests on (send, ack, commit,
 * then the next send) holds. Watched
 * through the real HTTP client and the real checkpoint store, each wrapped to note what it was asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import type {
  CheckpointStore,
  KeyedCommit,
  OutboundHttp,
  OutboundRequests,
} from '../../../shared/kinds/capabilities.ts';
import { expectedIds, givenSyncJob, runOf, type SyncWorld, startSyncWorld, syncedIds } from './support.ts';

let world: SyncWorld;

beforeAll(async () => {
  world = await startSyncWorld();
});
afterAll(async () => {
  await world.close();
});

/** The real client, noting the health check, each page read (by its cursor) and each page sent (by the cursor it was read at). */
function watchedHttp(events: string[]): OutboundHttp {
  const real = new SafeHttpClient({ mode: 'local', allowedHosts: [] });
  return {
    ...watched(real, events),
    session: () => {
      const session = real.session();
      return { ...watched(session, events), close: () => session.close() };
    },
  };
}

function watched(real: OutboundRequests, events: string[]): OutboundRequests {
  return {
    request: (request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      events.push(cursor === null ? 'health' : `read ${cursor}`);
      return real.request(request);
    },
    post: async (url, body, headers, options) => {
      const answer = await real.post(url, body, headers, options);
      events.push(`sent ${(JSON.parse(body) as { cursor: string | null }).cursor ?? ''}`);
      return answer;
    },
    stream: (request) => real.stream(request),
  };
}

/** The real store, noting when each commit was asked for and when it returned. */
function watchedStore(events: string[]): CheckpointStore {
  const real = world.checkpoints;
  return new Proxy(real, {
    get(object, key) {
      // Read from the store itself: its methods use private fields, which a proxy does not have.
      const value: unknown = Reflect.get(object, key);
      if (typeof value !== 'function') return value;
      if (key !== 'commitKeyed') return value.bind(object);
      return async (...args: Parameters<CheckpointStore['commitKeyed']>) => {
        const cursor = (args[2] as KeyedCommit).value;
        events.push(`commit ${cursor} asked`);
        const committed = await real.commitKeyed(...args);
        events.push(`commit ${cursor} returned`);
        return committed;
      };
    },
  });
}

describe('sync page overlap', () => {
  it('Given a connector of 250 records in pages of 50, When the job runs, Then each next page is read while the page before is sent and committed, and sent only after that commit returned', async () => {
    // Given
    const job = await givenSyncJob(world);
    const events: string[] = [];
    // When
    const outcome = await world.run(job, '2026-03-02T10:00:00.000Z', {
      http: watchedHttp(events),
      checkpoints: watchedStore(events),
    });
    // Then
    expect(runOf(outcome).result).toMatchObject({
      connectors: { crm: { status: 'succeeded', records: 250, pages: 5, hasMore: false } },
    });
    expect(events).toEqual([
      'health',
      'read ',
      'read 50',
      'sent ',
      'commit 50 asked',
      'commit 50 returned',
      'read 100',
      'sent 50',
      'commit 100 asked',
      'commit 100 returned',
      'read 150',
      'sent 100',
      'commit 150 asked',
      'commit 150 returned',
      'read 200',
      'sent 150',
      'commit 200 asked',
      'commit 200 returned',
      // The last page: nothing more to read; its commit gives the lease back.
      'sent 200',
      'commit 250 asked',
      'commit 250 returned',
    ]);
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
    expect((await world.checkpoints.readKeyed(job, ['crm'])).get('crm')).toMatchObject({
      value: '250',
      version: 5,
    });
    expect((await world.checkpoints.readKeyed(job, ['crm'])).get('crm')?.lease).toBeUndefined();
  });
});
