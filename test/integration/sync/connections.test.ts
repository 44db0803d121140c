/**
 * A sync run's requests share connections (one outbound session per run) and leave none open when the
 * run ends, however it ends. A page's read starts while the page before is sent, so a source and sink
 * on one host need two connections, reused for every page. Seen from the network: a TCP relay in front of the demo platform counts the
 * connections the run opens and those still open.
 */

import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedIds, givenSyncJob, runOf, type SyncWorld, startSyncWorld, syncedIds } from './support.ts';

let world: SyncWorld;
let relay: Server;
let relayUrl: string;
const seen = { opened: 0, open: 0 };

beforeAll(async () => {
  world = await startSyncWorld();
  const platformPort = world.platform.port;
  relay = createServer((client) => {
    seen.opened++;
    seen.open++;
    const upstream = createConnection(platformPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      seen.open--;
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => relay.close(resolve));
  await world.close();
});

/** A connector of the demo platform, reached through the relay. */
const viaRelay = (id: string) => ({
  id,
  source: { type: 'http', url: `${relayUrl}/connectors/${id}/records`, authSecret: 'demo-platform-token' },
  healthUrl: `${relayUrl}/connectors/${id}/health`,
});

/** Until the relay has seen every connection close (a close travels asynchronously). */
async function allClosed(): Promise<void> {
  for (let round = 0; round < 200 && seen.open > 0; round++) await sleep(10);
}

describe('sync connections', () => {
  it('Given a connector of 5 pages, When the job runs, Then its health check, reads and posts share two connections, closed when the run ends', async () => {
    // Given
    const job = await givenSyncJob(world, {
      connectors: [viaRelay('crm')],
      sink: { url: `${relayUrl}/ingest`, signingSecret: 'demo-ingest' },
    });
    seen.opened = 0;
    // When
    const outcome = await world.run(job, '2026-03-02T10:00:00.000Z');
    // Then: 11 requests (a health check, 5 reads, 5 posts) over two connections (a read beside each post)
    expect(runOf(outcome).result).toMatchObject({
      connectors: { crm: { status: 'succeeded', records: 250, pages: 5 } },
    });
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
    expect(seen.opened).toBe(2);
    await allClosed();
    expect(seen.open).toBe(0);
  });

  it('Given a connector whose source fails mid-sync, When the job runs and fails, Then no connection is left open', async () => {
    // Given: the demo `tickets` connector fails from offset 40
    const job = await givenSyncJob(world, {
      connectors: [viaRelay('tickets')],
      sink: { url: `${relayUrl}/ingest`, signingSecret: 'demo-ingest' },
      pageSize: 20,
    });
    seen.opened = 0;
    // When
    const running = world.run(job, '2026-03-02T11:00:00.000Z');
    // Then: the run fails (thrown, for Lambda to retry it)
    await expect(running).rejects.toThrow('tickets cannot read past offset 40');
    expect(syncedIds(world, job.name, 'tickets')).toEqual(expectedIds('tickets', 0, 40));
    expect(seen.opened).toBe(2);
    await allClosed();
    expect(seen.open).toBe(0);
  });
});
