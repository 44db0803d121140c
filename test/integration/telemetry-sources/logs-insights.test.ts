/**
 * The logs-insights source through the unmodified CloudWatch Logs client, against a server that answers
 * the query API's wire protocol: the half-open window in the query, tiling, the 10,000-row cap and the
 * split, the row limit, failed and timed-out queries, and cancellation (each stopping a query left running).
 * Polls wait on a manual clock that the test moves whenever the source is waiting.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsQueries } from '../../../shared/adapters/cloudwatch/logs-queries.ts';
import type { SourcePage, TelemetryWindow } from '../../../shared/kinds/telemetry/source.ts';
import {
  LogsQueryFailedError,
  LogsQueryTimeoutError,
  LogsResultCapError,
  UnknownTableError,
} from '../../../shared/kinds/telemetry/sources/errors.ts';
import {
  type LogsInsightsSourceConfig,
  logsInsightsSource,
  MAX_POLL_MS,
} from '../../../shared/kinds/telemetry/sources/logs-insights.ts';
import { TEST_REGION } from '../../support/aws-json-server.ts';
import {
  insightsTimestamp,
  type LogEvent,
  type LogsServer,
  type LogsServerOptions,
  startCloudWatchLogsServer,
} from '../../support/cloudwatch-logs-server.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

const GROUP = '/aws/bedrock/invocations';
const T0 = Date.parse('2026-03-01T10:00:00Z');
const config: LogsInsightsSourceConfig = {
  type: 'logs-insights',
  logGroupNames: [GROUP],
  query: 'fields @timestamp, @message',
};

let server: LogsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Events at these offsets from T0 (milliseconds). */
const events = (offsets: readonly number[]): LogEvent[] =>
  offsets.map((offset, index) => ({ timestamp: T0 + offset, message: `event ${index} at +${offset}` }));

async function setUp(options: LogsServerOptions, sourceConfig = config) {
  server = await startCloudWatchLogsServer(options);
  const client = new CloudWatchLogsClient({
    endpoint: server.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const clock = new ManualClock(new Date(T0 + 3_600_000));
  const source = logsInsightsSource(sourceConfig, { logs: new CloudWatchLogsQueries(client), clock });
  return { source, server, clock };
}

interface ReadOptions {
  readonly table?: string;
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** The run's deadline on the manual clock. @default far away */
  readonly deadline?: number;
}

/** Reads, moving the manual clock past each wait of the source until the read settles. */
async function read(
  { source, clock }: Awaited<ReturnType<typeof setUp>>,
  window: TelemetryWindow,
  options: ReadOptions = {},
): Promise<SourcePage> {
  const deadline = options.deadline ?? clock.now().getTime() + 3_600_000;
  const reading = source.read({
    window,
    table: options.table ?? 'logs',
    limit: options.limit ?? 100_000,
    signal: options.signal ?? new AbortController().signal,
    remainingTimeMs: () => deadline - clock.now().getTime(),
  });
  let settled = false;
  reading.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    if (clock.pendingSleeps > 0) clock.advance(MAX_POLL_MS);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return reading;
}

const at = (offsetMs: number) => new Date(T0 + offsetMs);
const messages = (page: SourcePage) => page.rows.map((row) => String(row['@message'])).sort();

describe('logs-insights source', () => {
  it('Given events around the window, Then it returns those in [from, to) and asks for a superset in whole seconds', async () => {
    const stamps = [999, 1_000, 1_001, 30_500, 60_499, 60_500, 60_501];
    const parts = await setUp({ logGroups: { [GROUP]: events(stamps) } });

    const page = await read(parts, { from: at(1_000), to: at(60_500) });

    expect(page.hasMore).toBe(false);
    expect(page.rows.map((row) => row['@timestamp']).sort()).toEqual(
      [1_000, 1_001, 30_500, 60_499].map((offset) => insightsTimestamp(T0 + offset)),
    );
    // @ptr is a per-query pointer: it would make the same window's export differ from one run to the next.
    expect(page.rows.every((row) => !('@ptr' in row))).toBe(true);
    const start = parts.server.calls.find((call) => call.operation === 'StartQuery');
    expect(start?.input).toMatchObject({
      logGroupNames: [GROUP],
      startTime: (T0 + 1_000) / 1000,
      endTime: Math.ceil((T0 + 60_500) / 1000),
      queryString: `filter toMillis(@timestamp) >= ${T0 + 1_000} and toMillis(@timestamp) < ${T0 + 60_500}\n| fields @timestamp, @message`,
      // The default limit's one-more-than would be 100,001: a query asks for the cap at most.
      limit: 10_000,
    });
  });

  it('Given adjacent windows cut inside seconds, Then together they return every event exactly once', async () => {
    const stamps = Array.from({ length: 400 }, (_, index) => index * 137 + (index % 7));
    const parts = await setUp({ logGroups: { [GROUP]: events(stamps) } });
    const cuts = [0, 999, 1_000, 4_321, 4_322, 20_000, 33_333, 54_900];

    const seen: string[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      seen.push(...messages(await read(parts, { from: at(cuts[i] ?? 0), to: at(cuts[i + 1] ?? 0) })));
    }

    expect(seen.sort()).toEqual(
      events(stamps)
        .map((event) => event.message)
        .sort(),
    );
  });

  it('Given more events than the 10,000-row cap, Then it splits the window and returns every one once', async () => {
    const stamps = Array.from({ length: 25_000 }, (_, index) => index * 1_000 + (index % 997));
    const parts = await setUp({ logGroups: { [GROUP]: events(stamps) } });

    const page = await read(parts, { from: at(0), to: at(25_000_000) });

    expect(page.hasMore).toBe(false);
    expect(page.rows).toHaveLength(25_000);
    expect(new Set(messages(page)).size).toBe(25_000);
    const starts = parts.server.calls.filter((call) => call.operation === 'StartQuery');
    // The whole window, its halves (each still capped), and their halves.
    expect(starts).toHaveLength(7);
  });

  it('Given more rows than the limit, Then it returns `limit` rows and hasMore, asking for one more than the limit', async () => {
    const parts = await setUp({
      logGroups: { [GROUP]: events(Array.from({ length: 50 }, (_, i) => i * 10)) },
    });

    const page = await read(parts, { from: at(0), to: at(1_000) }, { limit: 20 });

    expect(page.hasMore).toBe(true);
    expect(page.rows).toHaveLength(20);
    expect(parts.server.calls.find((call) => call.operation === 'StartQuery')?.input.limit).toBe(21);
  });

  it('Given a limit above the cap and more rows than it, Then the split stops once it has one more than the limit', async () => {
    const stamps = Array.from({ length: 15_000 }, (_, index) => index * 100);
    const parts = await setUp({ logGroups: { [GROUP]: events(stamps) } });

    const page = await read(parts, { from: at(0), to: at(1_500_000) }, { limit: 12_000 });

    expect(page.hasMore).toBe(true);
    expect(page.rows).toHaveLength(12_000);
    expect(new Set(messages(page)).size).toBe(12_000);
  });

  it('Given more than the cap in one millisecond, Then the read fails with LogsResultCapError instead of losing rows', async () => {
    const parts = await setUp({
      logGroups: { [GROUP]: events(Array.from({ length: 10_001 }, () => 5_000)) },
    });

    await expect(read(parts, { from: at(5_000), to: at(5_001) })).rejects.toThrow(LogsResultCapError);
  });

  it('Given a query that ends Failed, Then the read fails with LogsQueryFailedError and stops nothing', async () => {
    const parts = await setUp({
      logGroups: { [GROUP]: events([1_000]) },
      plan: () => ({ runningPolls: 2, finalStatus: 'Failed' }),
    });

    const reading = read(parts, { from: at(0), to: at(10_000) });

    await expect(reading).rejects.toThrow(LogsQueryFailedError);
    await expect(reading).rejects.toThrow(/ended Failed/);
    expect(parts.server.stopped).toEqual([]);
  });

  it('Given a query still running near the deadline, Then it is stopped and the read fails with LogsQueryTimeoutError', async () => {
    const parts = await setUp({
      logGroups: { [GROUP]: events([1_000]) },
      plan: () => ({ runningPolls: 1_000 }),
    });
    const deadline = parts.clock.now().getTime() + 30_000;

    await expect(read(parts, { from: at(0), to: at(10_000) }, { deadline })).rejects.toThrow(
      LogsQueryTimeoutError,
    );

    const started = parts.server.calls.filter((call) => call.operation === 'StartQuery');
    expect(started).toHaveLength(1);
    expect(parts.server.stopped).toHaveLength(1);
    expect(parts.clock.now().getTime()).toBeLessThanOrEqual(deadline);
  });

  it('Given a query running, When the run is cancelled, Then the query is stopped and the read rejects with the reason', async () => {
    const parts = await setUp({
      logGroups: { [GROUP]: events([1_000]) },
      plan: () => ({ runningPolls: 1_000 }),
    });
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const reading = read(parts, { from: at(0), to: at(10_000) }, { signal: controller.signal });
    // Cancel once the source has polled the running query a few times.
    while (parts.server.calls.filter((call) => call.operation === 'GetQueryResults').length < 3) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort(reason);

    await expect(reading).rejects.toBe(reason);
    expect(parts.server.stopped).toHaveLength(1);
  });

  it('Given a table other than the configured one, Then the read fails with UnknownTableError', async () => {
    const parts = await setUp({ logGroups: { [GROUP]: [] } }, { ...config, table: 'invocations' });
    await expect(read(parts, { from: at(0), to: at(1_000) })).rejects.toThrow(UnknownTableError);
    expect((await read(parts, { from: at(0), to: at(1_000) }, { table: 'invocations' })).rows).toEqual([]);
  });
});
