/**
 * How the task and sync kinds apply a fan-out child's context, end to end on the local stack (API,
 * Lambda runtime running the task and sync functions, dynalite): a task child's context merged into the
 * payload its HTTP target receives; a sync child syncing only the connector its context names, against
 * the demo platform's connectors and signed ingest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApiWithDemoPlatform } from '../demo-platform/support.ts';
import { demoConnector } from '../sync/support.ts';
import { childrenOf, type FanOutWorld, runToEnd, startFanOutWorld } from './support.ts';

const stack = useApiWithDemoPlatform({ 'task-hook': 'task-hook-secret' });
let world: FanOutWorld;

beforeAll(async () => {
  world = await startFanOutWorld();
}, 60_000);

afterAll(async () => {
  await world?.close();
});

async function createJob(body: Record<string, unknown>): Promise<void> {
  const created = await stack.api.call('POST', '/jobs', { body: { schedule: 'rate(1 hour)', ...body } });
  expect(created.status, created.text).toBe(201);
}

describe('a task job with expand', () => {
  it("Given contexts per customer, When it runs, Then each child's HTTP target gets the job's payload with its context merged over it", async () => {
    world.sources.set('/customers', {
      status: 200,
      body: { contexts: [{ key: 'acme', region: 'us', tier: 'gold' }, { key: 'globex' }] },
    });
    await createJob({
      name: 'fan-task',
      kind: 'task',
      config: {
        target: { type: 'http', url: world.hookUrl, signingSecret: 'task-hook' },
        payload: { channel: 'email', region: 'eu' },
      },
      expand: { url: world.sourceUrl('/customers'), concurrency: 2 },
    });

    const parent = await runToEnd(stack.api, 'fan-task');
    expect(parent.json).toMatchObject({ status: 'succeeded', children: { total: 2, succeeded: 2 } });

    const children = await childrenOf(stack.api, parent.json.runId);
    const received = children.map((child) => {
      const events = world.deliveries.filter((delivery) => delivery.runId === child.runId);
      expect(events).toHaveLength(1);
      return events[0] as unknown as Record<string, unknown>;
    });
    expect(received.map((event) => [event.trigger, event.job])).toEqual([
      ['fan-out', 'fan-task'],
      ['fan-out', 'fan-task'],
    ]);
    expect(received.map((event) => event.payload)).toEqual([
      { channel: 'email', region: 'us', key: 'acme', tier: 'gold' },
      { channel: 'email', region: 'eu', key: 'globex' },
    ]);
  });
});

describe('a sync job with expand', () => {
  it('Given one context per connector, When it runs, Then each child syncs only the connector its context names', async () => {
    world.sources.set('/connectors', {
      status: 200,
      body: { contexts: [{ key: 'crm' }, { key: 'billing-only', connectors: ['billing'] }] },
    });
    await createJob({
      name: 'fan-sync',
      kind: 'sync',
      config: {
        connectors: [
          demoConnector(stack.platform, 'crm'),
          demoConnector(stack.platform, 'billing'),
          demoConnector(stack.platform, 'tickets'),
        ],
        sink: { url: `${stack.platform.url}/ingest`, signingSecret: 'demo-ingest' },
        pageSize: 50,
        maxPagesPerRun: 2,
      },
      expand: { url: world.sourceUrl('/connectors'), concurrency: 2 },
    });

    const parent = await runToEnd(stack.api, 'fan-sync');
    expect(parent.json).toMatchObject({ status: 'succeeded', children: { total: 2, succeeded: 2 } });

    const children = await childrenOf(stack.api, parent.json.runId);
    const byKey = Object.fromEntries(children.map((child) => [child.context.key, child.result]));
    expect(Object.keys(byKey.crm.connectors)).toEqual(['crm']);
    expect(byKey.crm.connectors.crm).toMatchObject({ records: 100, pages: 2, hasMore: true });
    // The demo's billing connector is disconnected: skipped, and nothing else synced in its child.
    expect(Object.keys(byKey['billing-only'].connectors)).toEqual(['billing']);
    expect(byKey['billing-only'].connectors.billing).toMatchObject({ status: 'skipped', records: 0 });

    // Only crm moved its checkpoint: tickets was in no child's context.
    const checkpoints = await stack.api.call('GET', '/jobs/fan-sync/checkpoints');
    expect(checkpoints.status, checkpoints.text).toBe(200);
    const moved = checkpoints.json.checkpoints.filter((entry: { cursor: unknown }) => entry.cursor !== null);
    expect(moved.map((entry: { connector: string }) => entry.connector)).toEqual(['crm']);
  });
});
