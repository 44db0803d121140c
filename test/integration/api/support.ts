/**
 * The API over HTTP against the local stack (dynalite, the Scheduler emulator, the in-process Lambda
 * runtime, the API front with its bearer token), plus direct views of what the engines hold, so a test
 * can prove that a refused request changed nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { paginateListSchedules, SchedulerClient } from '@aws-sdk/client-scheduler';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../local/runtime.ts';
import { tableName } from '../../../shared/tables.ts';
import { checkAgainstOpenApi } from '../../support/openapi.ts';

// The request body builder is shared with the use-case unit tests.
export { promptDefinition as promptJob } from '../../support/jobs.ts';

export interface CallOptions {
  /** A value is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
  /** @default application/json when there is a body; null sends none */
  readonly contentType?: string | null;
  /** @default the stack's token; null sends no Authorization header */
  readonly token?: string | null;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  readonly json: any;
}

/** Everything the engines hold that an API call could have created. */
export interface EngineSnapshot {
  readonly jobs: string[];
  /** Jobs with a run state (the `<name>#run` items of the jobs table). */
  readonly runStates: string[];
  readonly schedules: string[];
  readonly runs: string[];
}

export interface ApiHarness {
  readonly stack: LocalStack;
  readonly dataDir: string;
  readonly scheduler: SchedulerClient;
  call(method: string, path: string, options?: CallOptions): Promise<ApiAnswer>;
  snapshot(): Promise<EngineSnapshot>;
  writeSecrets(secrets: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** `functions` replaces handler modules by function name, e.g. with a bundle built as the stack builds it. */
export async function startApiHarness(
  options: Pick<LocalStackOptions, 'asyncRetryDelaysMs' | 'functions' | 'eventBuses' | 'clock'> = {},
): Promise<ApiHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-api-'));
  const stack = await startLocalStack({
    dataDir,
    apiPort: 0,
    schedulerPort: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    shutdownGraceMs: 2_000,
    asyncRetryDelaysMs: options.asyncRetryDelaysMs ?? [],
    ...(options.functions === undefined ? {} : { functions: options.functions }),
    ...(options.eventBuses === undefined ? {} : { eventBuses: options.eventBuses }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const { apiUrl, token, schedulerEndpoint, dynamodbEndpoint, scheduleGroups, credentials } = stack.endpoints;
  // The stack's listeners accept only signatures of its own credentials (endpoints.json).
  const scheduler = new SchedulerClient({
    endpoint: schedulerEndpoint,
    region: credentials.region,
    credentials,
  });
  const dynamodb = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: credentials.region,
    credentials,
  });

  const scanKeys = async (table: string, key: (item: Record<string, { S?: string }>) => string) => {
    const keys: string[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) keys.push(key(item as Record<string, { S?: string }>));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start !== undefined);
    return keys.sort();
  };
  const RUN_STATE = '#run';
  const jobsTableKeys = async () => {
    const keys = await scanKeys(tableName('local', 'jobs'), (item) => item.name?.S ?? '');
    return {
      // Items keyed `#…` are the table's own records (the due index fill's), never a job (no name holds `#`).
      jobs: keys.filter((key) => !key.endsWith(RUN_STATE) && !key.startsWith('#')),
      runStates: keys.filter((key) => key.endsWith(RUN_STATE)).map((key) => key.slice(0, -RUN_STATE.length)),
    };
  };

  return {
    stack,
    dataDir,
    scheduler,
    async call(method, path, callOptions = {}) {
      const headers: Record<string, string> = {};
      const bearer = callOptions.token === undefined ? token : callOptions.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined;
      if (callOptions.body !== undefined) {
        body = typeof callOptions.body === 'string' ? callOptions.body : JSON.stringify(callOptions.body);
        const contentType =
          callOptions.contentType === undefined ? 'application/json' : callOptions.contentType;
        if (contentType !== null) headers['content-type'] = contentType;
      }
      const response = await fetch(`${apiUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      const answer = { status: response.status, headers: response.headers, text, json };
      // Every answer of every API test is also checked against the API's OpenAPI document.
      checkAgainstOpenApi(method, path, answer);
      return answer;
    },
    async snapshot() {
      // Schedule names of every kind's group (a job's name is unique, so its schedule's is too).
      const schedules: string[] = [];
      for (const group of Object.values(scheduleGroups)) {
        try {
          for await (const page of paginateListSchedules({ client: scheduler }, { GroupName: group })) {
            for (const summary of page.Schedules ?? []) schedules.push(summary.Name ?? '');
          }
        } catch (error) {
          // Some tests remove a group to make Scheduler fail: a missing group holds no schedules.
          if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
        }
      }
      return {
        ...(await jobsTableKeys()),
        schedules: schedules.sort(),
        runs: await scanKeys(tableName('local', 'runs'), (item) => `${item.job?.S}/${item.slot?.S}`),
      };
    },
    async writeSecrets(secrets) {
      await writeFile(join(dataDir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
    },
    async close() {
      scheduler.destroy();
      dynamodb.destroy();
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` every `intervalMs` until `done` holds, for at most `limitMs`; returns the last answer. */
export async function until(
  read: () => Promise<ApiAnswer>,
  done: (answer: ApiAnswer) => boolean,
  limitMs: number,
  intervalMs = 200,
): Promise<ApiAnswer> {
  const deadline = Date.now() + limitMs;
  let answer = await read();
  while (!done(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    answer = await read();
  }
  return answer;
}

/** A run is over once it is in none of the open statuses (a parent waits for its children). */
export const ended = (answer: ApiAnswer) =>
  !['pending', 'running', 'retrying', 'waiting'].includes(answer.json?.status);

/** Runs job `name` by hand through the API and waits for its end. */
export async function runToEnd(api: ApiHarness, name: string, body?: unknown): Promise<ApiAnswer> {
  const started = await api.call('POST', `/jobs/${name}/runs`, body === undefined ? {} : { body });
  if (started.status !== 202) throw new Error(`run of ${name} not started: ${started.text}`);
  return until(() => api.call('GET', `/runs/${started.json.runId}`), ended, 60_000, 100);
}
