/**
 * `tickwork dead-letters` against a deployment: the real @aws-sdk/client-sqs (in the CLI process) reads a
 * small SQS server that answers SQS's JSON protocol (test/support/sqs-server.ts), holding a Scheduler
 * dead letter and a Lambda on-failure record shaped as the services send them; `--redrive` invokes the job
 * function through the real @aws-sdk/client-lambda against the local Lambda Invoke endpoint.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LambdaApi, startLambdaApi } from '../../../local/lambda-api/server.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { runCli } from '../../support/cli.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { type FakeSqs, type StoredMessage, startFakeSqs } from '../../support/sqs-server.ts';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-dev-prompt';
const SCHEDULER_DLQ = 'tickwork-dev-scheduler-dlq';
const JOB_FAILURES = 'tickwork-dev-job-failures';
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com';

const schedulerEvent = {
  job: 'nightly-report',
  scheduledTime: '2026-01-31T09:00:00Z',
  executionId: 'exec-3',
  attempt: '3',
};
const failedEvent = { job: 'hourly-sync', scheduledTime: '2026-01-31T08:00:00Z', attempt: '1' };

let sqs: FakeSqs;
let lambda: LambdaApi;
const invoked: { name: string; payload: unknown }[] = [];
let refuse = false;
let scheduled: StoredMessage;
let failed: StoredMessage;

function cli(args: readonly string[]) {
  return runCli(['dead-letters', ...args], {
    env: {
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    },
  });
}

beforeAll(async () => {
  sqs = await startFakeSqs();
  lambda = await startLambdaApi({
    credentials: TEST_CREDENTIALS,
    hasFunction: (reference) => !refuse && reference === FUNCTION_ARN,
    invoke: async (name, payload) => {
      invoked.push({ name, payload });
    },
    log: silentLogger,
  });
});

afterAll(async () => {
  await lambda.close();
  await sqs.close();
});

beforeEach(() => {
  sqs.queues.clear();
  sqs.requests.length = 0;
  invoked.length = 0;
  refuse = false;
  scheduled = sqs.add(
    SCHEDULER_DLQ,
    JSON.stringify(schedulerEvent),
    {
      ERROR_CODE: 'AWS.Scheduler.TooManyRequestsException',
      ERROR_MESSAGE: 'Rate exceeded.',
      RETRY_ATTEMPTS: '2',
      EXECUTION_ID: 'exec-3',
      SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork-dev/nightly-report',
      TARGET_ARN: FUNCTION_ARN,
    },
    Date.parse('2026-01-31T10:00:00Z'),
  );
  failed = sqs.add(
    JOB_FAILURES,
    JSON.stringify({
      version: '1.0',
      timestamp: '2026-01-31T08:05:00.000Z',
      requestContext: {
        requestId: 'b6d3c8f0-0000-4000-8000-000000000001',
        functionArn: `${FUNCTION_ARN}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: failedEvent,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'ModelTimeoutError', errorMessage: 'the model did not answer in 60 s' },
    }),
    {},
    Date.parse('2026-01-31T08:05:00Z'),
  );
});

afterEach(() => {
  // Whatever the command did, it never leaves a message hidden: reading does not consume.
  for (const messages of sqs.queues.values()) {
    expect(messages.filter((message) => message.hidden)).toEqual([]);
  }
});

describe('tickwork dead-letters --url (a deployment)', () => {
  it('Given one deployment, When listed by --url, Then both queues are found and each entry explained, newest first', async () => {
    const result = await cli(['--url', API_URL]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [header, first, second, ...rest] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SLOT\s+JOB\s+FROM\s+ATTEMPTS\s+LAST ERROR\s+ID$/);
    expect(first).toMatch(
      new RegExp(
        `^2026-01-31 09:00:00Z\\s+nightly-report\\s+scheduler\\s+3\\s+AWS.Scheduler.TooManyRequestsException: Rate exceeded.\\s+${scheduled.id}$`,
      ),
    );
    expect(second).toMatch(
      new RegExp(
        `^2026-01-31 08:00:00Z\\s+hourly-sync\\s+lambda\\s+3\\s+ModelTimeoutError: the model did not answer in 60 s\\s+${failed.id}$`,
      ),
    );
    expect(rest).toEqual([]);
    // Read once each with the caller's credentials, and still there.
    expect(sqs.queues.get(SCHEDULER_DLQ)?.map((message) => message.receives)).toEqual([1]);
    expect(sqs.queues.get(JOB_FAILURES)?.map((message) => message.receives)).toEqual([1]);
    expect(new Set(sqs.requests.map((request) => request.accessKeyId))).toEqual(
      new Set([TEST_CREDENTIALS.accessKeyId]),
    );
  });

  it('Given --stage --output jsonl, When listed, Then one explained entry a line with its event', async () => {
    const result = await cli(['--stage', 'dev', '--output', 'jsonl']);

    expect(result.code, result.stderr).toBe(0);
    const entries = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toEqual([
      {
        id: scheduled.id,
        queue: sqs.queueUrl(SCHEDULER_DLQ),
        source: 'scheduler',
        job: 'nightly-report',
        slot: '2026-01-31T09:00:00Z',
        attempts: 3,
        error: 'AWS.Scheduler.TooManyRequestsException: Rate exceeded.',
        target: FUNCTION_ARN,
        schedule: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork-dev/nightly-report',
        sentAt: '2026-01-31T10:00:00.000Z',
        event: schedulerEvent,
      },
      {
        id: failed.id,
        queue: sqs.queueUrl(JOB_FAILURES),
        source: 'lambda',
        job: 'hourly-sync',
        slot: '2026-01-31T08:00:00Z',
        attempts: 3,
        error: 'ModelTimeoutError: the model did not answer in 60 s',
        target: FUNCTION_ARN,
        sentAt: '2026-01-31T08:05:00.000Z',
        event: failedEvent,
      },
    ]);
    expect(sqs.requests.map((request) => request.operation)).toContain('GetQueueUrl');
  });

  it('Given --redrive <id>, When run, Then the event goes to its function asynchronously and only then leaves the queue', async () => {
    const result = await cli(['--stage', 'dev', '--redrive', failed.id]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `redriven ${failed.id} (hourly-sync 2026-01-31 08:00:00Z) to ${FUNCTION_ARN}\n`,
    );
    expect(invoked).toEqual([{ name: FUNCTION_ARN, payload: failedEvent }]);
    expect(sqs.queues.get(JOB_FAILURES)).toEqual([]);
    expect(sqs.queues.get(SCHEDULER_DLQ)?.map((message) => message.id)).toEqual([scheduled.id]);
  });

  it('Given --redrive all and Lambda refusing, When run, Then exit 1 and every entry stays in its queue', async () => {
    refuse = true;

    const result = await cli(['--url', API_URL, '--redrive', 'all']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${scheduled.id} not redriven (kept in the queue): ResourceNotFoundException`,
    );
    expect(result.stderr).toContain(`${failed.id} not redriven (kept in the queue)`);
    expect(invoked).toEqual([]);
    expect(sqs.queues.get(SCHEDULER_DLQ)?.length).toBe(1);
    expect(sqs.queues.get(JOB_FAILURES)?.length).toBe(1);
  });

  it('Given --redrive of an id no queue holds, When run, Then exit 3 naming it', async () => {
    const result = await cli(['--stage', 'dev', '--redrive', 'not-a-held-id']);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^tickwork dead-letters: no dead letter not-a-held-id in /);
    expect(invoked).toEqual([]);
  });

  it('Given two deployments, When listed without --stage, Then a usage error names their stages', async () => {
    sqs.add('tickwork-prod-scheduler-dlq', '{}', {});

    const result = await cli(['--url', API_URL]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('choose one with --stage (dev, prod)');
  });

  it('Given --queue-url of a queue that does not exist, When listed, Then exit 1 with the service error', async () => {
    const result = await cli(['--queue-url', sqs.queueUrl('tickwork-dev-nothing')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'tickwork dead-letters: QueueDoesNotExist: The specified queue does not exist.',
    );
  });

  it.each<[string, string[], string]>([
    ['--redrive without a deployment', ['--redrive', 'all'], '--redrive applies to a deployment'],
    ['--data-dir with --url', ['--url', API_URL, '--data-dir', '/tmp'], '--data-dir reads the local store'],
    [
      'a bad --queue-url',
      ['--queue-url', 'tickwork-dev-scheduler-dlq'],
      '--queue-url must be an http(s) URL',
    ],
    ['a bad --stage', ['--stage', 'Prod!'], '--stage must be a stage name'],
    ['a bad --redrive', ['--url', API_URL, '--redrive', 'a b'], '--redrive takes a dead letter'],
    [
      '--limit with --redrive',
      ['--url', API_URL, '--redrive', 'all', '--limit', '2'],
      '--limit applies to the listing',
    ],
  ])('Given %s, When run, Then a usage error (exit 2) names the flag', async (_, args, message) => {
    const result = await cli(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(sqs.requests).toEqual([]);
  });
});
