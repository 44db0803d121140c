/**
 * The local EventBridge endpoint as the unmodified client meets it: PutEvents checked as the service
 * checks it (the whole request, then each entry: a partial failure), events kept in events.jsonl, and
 * every request from someone other than the stack's user refused before it is read.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../local/clock.ts';
import { listEvents } from '../../../../local/eventbridge/event-store.ts';
import { type EventBridgeApi, startEventBridgeApi } from '../../../../local/eventbridge/server.ts';
import { silentLogger } from '../../../../shared/logger.ts';
import { OTHER_CREDENTIALS, signedFetch, TEST_CREDENTIALS } from '../../../support/sigv4.ts';

const ACCOUNT = '123456789012';
let api: EventBridgeApi;
let dataDir: string;
let client: EventBridgeClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-eventbridge-'));
  api = await startEventBridgeApi({
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    accountId: ACCOUNT,
    dataDir,
    buses: ['orders'],
    clock: new ManualClock(new Date('2026-04-01T10:00:00Z')),
    log: silentLogger,
  });
  client = new EventBridgeClient({
    endpoint: api.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await api.close();
  await rm(dataDir, { recursive: true, force: true });
});

const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'com.example.test',
  DetailType: 'Thing',
  Detail: '{"n": 1}',
  ...overrides,
});

describe('the local EventBridge endpoint', () => {
  it('puts good entries and refuses bad ones one by one, in order, as the service does', async () => {
    const before = (await listEvents(dataDir)).length;
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: undefined }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: 'not json' }),
          entry({ EventBusName: 'missing' }),
          entry({ Source: 'aws.s3' }),
          entry({ EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`, Detail: '{"n": 2}' }),
        ],
      }),
    );
    expect(output.FailedEntryCount).toBe(5);
    expect(output.Entries?.map((result) => result.ErrorCode ?? 'put')).toEqual([
      'put',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ResourceNotFoundException',
      'NotAuthorizedForSourceException',
      'put',
    ]);
    expect(output.Entries?.[1]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    const kept = (await listEvents(dataDir)).slice(before);
    expect(kept.map((event) => [event.bus, event.detail, event.id])).toEqual([
      ['default', { n: 1 }, output.Entries?.[0]?.EventId],
      ['orders', { n: 2 }, output.Entries?.[6]?.EventId],
    ]);
    expect(kept[0]?.receivedAt).toBe('2026-04-01T10:00:00.000Z');
  });

  it.each([
    ['more than 10 entries', Array.from({ length: 11 }, () => entry()), 'less than or equal to 10'],
    ['no entries', [], 'greater than or equal to 1'],
    [
      'entries over 256 KB',
      [
        entry({ Detail: JSON.stringify({ blob: 'x'.repeat(200_000) }) }),
        entry({ Detail: JSON.stringify({ blob: 'y'.repeat(70_000) }) }),
      ],
      'Total size of the entries in the request is over the limit.',
    ],
  ])(
    'refuses a request with %s whole (ValidationException), keeping nothing',
    async (_what, entries, message) => {
      const before = await readFile(api.eventsFile, 'utf8').catch(() => '');
      const refused = client.send(new PutEventsCommand({ Entries: entries }));
      await expect(refused).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(refused).rejects.toThrow(message);
      expect(await readFile(api.eventsFile, 'utf8').catch(() => '')).toBe(before);
    },
  );

  it('refuses a request signed with other credentials, and keeps nothing', async () => {
    const before = await readFile(api.eventsFile, 'utf8').catch(() => '');
    const stranger = new EventBridgeClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: OTHER_CREDENTIALS,
      maxAttempts: 1,
    });
    await expect(stranger.send(new PutEventsCommand({ Entries: [entry()] }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    stranger.destroy();
    expect(await readFile(api.eventsFile, 'utf8').catch(() => '')).toBe(before);
  });

  it('refuses an unsigned request and one from a web page (an Origin header)', async () => {
    const body = JSON.stringify({ Entries: [entry()] });
    const headers = { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' };
    const unsigned = await fetch(api.endpoint, { method: 'POST', headers, body });
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    const fromPage = await signedFetch(api.endpoint, {
      headers: { ...headers, origin: 'https://evil.example' },
      body,
      credentials: TEST_CREDENTIALS,
      service: 'events',
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers another operation UnknownOperationException', async () => {
    const response = await signedFetch(api.endpoint, {
      headers: { 'x-amz-target': 'AWSEvents.ListRules', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
      credentials: TEST_CREDENTIALS,
      service: 'events',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});
