/**
 * The README's sync walk-through, as a test: the local stack (the API, the Lambda runtime running the
 * sync function, dynalite) and the demo platform's connectors and signed ingest; the job created through
 * the API, runs by hand, the checkpoints listed and reset through the API, bad requests refused with
 * nothing written, and the job's delete removing its checkpoints.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { keyedCheckpointKey } from '../../../shared/adapters/dynamodb/keyed-checkpoints.ts';
import { tableName } from '../../../shared/tables.ts';
import { runCli as cli } from '../../support/cli.ts';
import { runToEnd } from '../api/support.ts';
import { useApiWithDemoPlatform } from '../demo-platform/support.ts';
import { demoConnector } from './support.ts';

const stack = useApiWithDemoPlatform();

/** Starts a manual run (optionally with parameters) and waits for its outcome. */
const runNow = (job: string, params?: Record<string, unknown>) =>
  runToEnd(stack.api, job, params === undefined ? undefined : { params });

describe('the sync walk-through', () => {
  it('syncs the connectors, shows and resets their checkpoints, and deletes them with the job', async () => {
    const created = await stack.api.call('POST', '/jobs', {
      body: {
        name: 'demo-sync',
        kind: 'sync',
        schedule: 'rate(1 hour)',
        config: {
          connectors: [
            demoConnector(stack.platform, 'crm'),
            demoConnector(stack.platform, 'billing'),
            demoConnector(stack.platform, 'tickets'),
          ],
          sink: { url: `${stack.platform.url}/ingest`, signingSecret: 'demo-ingest' },
          pageSize: 50,
          maxPagesPerRun: 3,
        },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.warnings).toBeUndefined();

    // The first run: crm 3 pages of 50 (more left), billing disconnected, tickets failing at its page 2
    const first = await runNow('demo-sync');
    expect(first.json).toMatchObject({
      status: 'succeeded',
      result: {
        connectors: {
          crm: { status: 'succeeded', records: 150, pages: 3, hasMore: true },
          billing: { status: 'skipped', reason: expect.stringContaining('503') },
          tickets: { status: 'failed', records: 50, pages: 1, error: expect.stringContaining('HTTP 500') },
        },
      },
    });
    const second = await runNow('demo-sync', { connectors: ['crm'] });
    expect(second.json.result.connectors).toEqual({
      crm: { status: 'succeeded', records: 100, pages: 2, hasMore: false },
    });
    expect(stack.platform.received().ingest.connectors).toEqual({
      pages: 6,
      records: { crm: 250, tickets: 50 },
    });

    const listed = await stack.api.call('GET', '/jobs/demo-sync/checkpoints');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({
      checkpoints: [
        { connector: 'crm', cursor: '250', version: 5, updatedAt: expect.any(String) },
        { connector: 'billing', cursor: null, version: 0, updatedAt: null },
        { connector: 'tickets', cursor: '50', version: 1, updatedAt: expect.any(String) },
      ],
    });

    // The same through the CLI: a table, one row per connector of the config.
    const status = await cli(['sync', 'status', 'demo-sync', '--data-dir', stack.api.dataDir]);
    expect(status.code, status.stderr).toBe(0);
    const rows = status.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^CONNECTOR\s+CURSOR\s+VERSION\s+COMMITTED\s+SYNCING$/);
    expect(rows.slice(1).map((row) => row.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['crm', '250', '5'],
      ['billing', '(start)', '0'],
      ['tickets', '50', '1'],
    ]);
    const unknown = await cli(['sync', 'reset', 'demo-sync', 'zendesk', '--data-dir', stack.api.dataDir]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('zendesk');

    const reset = await stack.api.call('POST', '/jobs/demo-sync/checkpoints/crm/reset');
    expect(reset.status, reset.text).toBe(200);
    expect(reset.json).toEqual({ connector: 'crm', cursor: null, version: 6, updatedAt: expect.any(String) });
    const again = await runNow('demo-sync', { connectors: ['crm'] });
    expect(again.json.result.connectors.crm).toMatchObject({ records: 150, hasMore: true });
    // A new generation: the sink takes the records again, none as a duplicate.
    expect(stack.platform.received().ingest).toMatchObject({
      duplicates: 0,
      connectors: { records: { crm: 400 } },
    });

    // The job's delete removes its keyed checkpoint items.
    const doc = createDocumentClient({
      endpoint: stack.api.stack.endpoints.dynamodbEndpoint,
      region: 'us-east-1',
      clientConfig: { credentials: stack.api.stack.endpoints.credentials },
    });
    const item = () =>
      doc.send(
        new GetCommand({
          TableName: tableName('local', 'jobs'),
          Key: keyedCheckpointKey('demo-sync', 'crm'),
          ConsistentRead: true,
        }),
      );
    expect((await item()).Item).toBeDefined();
    expect((await stack.api.call('DELETE', '/jobs/demo-sync')).status).toBe(204);
    expect((await item()).Item).toBeUndefined();
  });

  it.each([
    [
      'an unknown connector',
      'POST',
      '/jobs/bad-input-sync/checkpoints/zendesk/reset',
      404,
      'CheckpointNotFound',
      'has no connector "zendesk"; its connectors: crm',
    ],
    [
      'a job that keeps no checkpoints',
      'GET',
      '/jobs/bad-input-prompt/checkpoints',
      400,
      'ValidationError',
      'is of kind prompt, which keeps no keyed checkpoints; jobs of kind sync do',
    ],
    ['a missing job', 'GET', '/jobs/no-such-job/checkpoints', 404, 'JobNotFound', 'no-such-job'],
  ])('refuses %s (%s %s) with %d, writing nothing', async (_case, method, path, status, type, message) => {
    await givenBadInputJobs();
    const answer = await stack.api.call(method, path);
    expect(answer.status, answer.text).toBe(status);
    expect(answer.json.error).toMatchObject({ type, message: expect.stringContaining(message) });
    const listed = await stack.api.call('GET', '/jobs/bad-input-sync/checkpoints');
    expect(listed.json.checkpoints).toEqual([
      { connector: 'crm', cursor: null, version: 0, updatedAt: null },
    ]);
  });

  it('refuses a run asking for a connector the job does not have, naming the field, and records no run', async () => {
    await givenBadInputJobs();
    const answer = await stack.api.call('POST', '/jobs/bad-input-sync/runs', {
      body: { params: { connectors: ['zendesk'], fullResync: 'yes' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.details).toEqual([
      { field: 'params.fullResync', message: expect.stringContaining('must be true or false; got "yes"') },
    ]);
    const unknown = await stack.api.call('POST', '/jobs/bad-input-sync/runs', {
      body: { params: { connectors: ['zendesk'] } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({
      message: expect.stringContaining(
        'params.connectors must name connectors of the job (crm); got "zendesk"',
      ),
    });
    expect((await stack.api.call('GET', '/jobs/bad-input-sync/runs')).json.runs).toEqual([]);
  });
});

let badInputJobs: Promise<void> | undefined;

/** A sync job and a prompt job, created once for the refusal cases. */
function givenBadInputJobs(): Promise<void> {
  badInputJobs ??= (async () => {
    const sync = await stack.api.call('PUT', '/jobs/bad-input-sync', {
      body: {
        kind: 'sync',
        schedule: 'rate(1 hour)',
        enabled: false,
        config: {
          connectors: [demoConnector(stack.platform, 'crm')],
          sink: { url: `${stack.platform.url}/ingest`, signingSecret: 'demo-ingest' },
        },
      },
    });
    expect(sync.status, sync.text).toBe(201);
    const prompt = await stack.api.call('PUT', '/jobs/bad-input-prompt', {
      body: {
        kind: 'prompt',
        schedule: 'rate(1 hour)',
        enabled: false,
        config: {
          prompt: 'hello',
          target: { type: 'webhook', url: `${stack.platform.url}/ingest`, signingSecret: 'demo-ingest' },
        },
      },
    });
    expect(prompt.status, prompt.text).toBe(201);
  })();
  return badInputJobs;
}
