/**
 * The alerts' real parts for a test: the jobs table on dynalite, the SNS client against the local SNS
 * server, the webhook through the outbound guard to a local receiver that checks each signature, the
 * secret from a local secret source, and a clock the test moves.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll } from 'vitest';
import { listenHttp } from '../../../local/http/server.ts';
import { DynamoAlertStore } from '../../../shared/adapters/dynamodb/alert-store.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LocalSecretSource, secretEnvName } from '../../../shared/adapters/secrets/local.ts';
import { SnsAlertTopic } from '../../../shared/adapters/sns/alert-topic.ts';
import { Alerts, type AlertsDeps } from '../../../shared/alerts/alerts.ts';
import type { HealthChange } from '../../../shared/health/model.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { SIGNATURE_HEADER, type SignatureCheck, verifySignature } from '../../../shared/kinds/signature.ts';
import { TEST_REGION } from '../../support/aws-json-server.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { type SnsServer, startSnsServer } from '../../support/sns-server.ts';
import { captureLog, type Engine, ManualClock, promptJob, startEngine } from '../ledger/support.ts';

export { ManualClock, promptJob };

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:tickwork-test-alerts';
export const SECRET_NAME = 'ops/alerts';
export const SECRET_VALUE = 'alert-signing-secret-value';

/** One POST the receiver got. */
export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signature: SignatureCheck;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The next answers' statuses, one per request, in order; then 200. */
  answerNext(...statuses: number[]): void;
  /** The most requests it held at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that checks each signature with the test's clock. */
export async function startReceiver(clock: ManualClock): Promise<Receiver> {
  const received: Received[] = [];
  const statuses: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body,
        signature: verifySignature(typeof header === 'string' ? header : undefined, body, SECRET_VALUE, {
          now: clock.now(),
        }),
      });
      // Held for a turn of the event loop, so that requests sent at once are seen at once.
      setImmediate(() => {
        inFlight--;
        response.writeHead(statuses.shift() ?? 200, { 'content-type': 'text/plain' });
        response.end('ok');
      });
    });
  });
  const listener = await listenHttp(server, { port: 0 });
  return {
    url: `${listener.url}/alerts`,
    received,
    answerNext: (...next) => statuses.push(...next),
    get maxInFlight() {
      return maxInFlight;
    },
    close: async () => {
      await listener.close(0);
    },
  };
}

export interface AlertsWorld {
  readonly engine: Engine;
  readonly sns: SnsServer;
  readonly receiver: Receiver;
  readonly clock: ManualClock;
  readonly logLines: string[];
  readonly jobs: DynamoJobStore;
  readonly store: DynamoAlertStore;
  readonly deps: AlertsDeps;
  readonly alerts: Alerts;
  /** Stores a prompt job whose alerts go to the receiver (created before the changes the tests send). */
  job(name: string, alerts?: Partial<NonNullable<Job['alerts']>> | null): Promise<Job>;
}

/** Starts the world before the tests of the enclosing `describe`; the getter returns it. */
export function useAlertsWorld(options: { readonly concurrency?: number } = {}): () => AlertsWorld {
  let world: AlertsWorld | undefined;
  let sns: SNSClient | undefined;
  beforeAll(async () => {
    const clock = new ManualClock('2026-11-29T10:00:00.000Z');
    const engine = await startEngine('dynalite');
    const snsServer = await startSnsServer([TOPIC_ARN]);
    const receiver = await startReceiver(clock);
    sns = new SNSClient({ endpoint: snsServer.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const { logger, lines } = captureLog();
    const jobs = new DynamoJobStore(engine.doc, engine.tables.jobs, clock);
    const store = new DynamoAlertStore(engine.doc, engine.tables.jobs);
    const deps: AlertsDeps = {
      store,
      jobs,
      topic: new SnsAlertTopic(sns, TOPIC_ARN),
      http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
      secrets: new LocalSecretSource({ env: { [secretEnvName(SECRET_NAME)]: SECRET_VALUE } }),
      clock,
      log: logger,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    };
    const job: AlertsWorld['job'] = async (name, alerts) => {
      const stored = promptJob(name, {
        createdAt: '2026-11-01T00:00:00.000Z',
        ...(alerts === null ? {} : { alerts: { url: receiver.url, signingSecret: SECRET_NAME, ...alerts } }),
      });
      await jobs.create(stored);
      return stored;
    };
    world = {
      engine,
      sns: snsServer,
      receiver,
      clock,
      logLines: lines,
      jobs,
      store,
      deps,
      alerts: new Alerts(deps),
      job,
    };
  }, 60_000);
  afterAll(async () => {
    sns?.destroy();
    await world?.receiver.close();
    await world?.sns.close();
    await world?.engine.close();
  });
  return () => {
    if (world === undefined) throw new Error('the alerts world has not started');
    return world;
  };
}

/** A change of `job` at the clock's time. */
export function changeOf(
  job: string,
  health: HealthChange['health'],
  previous: HealthChange['previous'],
  at: Date,
): HealthChange {
  return { job, health, previous, at: at.toISOString(), reason: `test: ${previous} → ${health}` };
}

export const minutes = (n: number) => n * 60_000;
