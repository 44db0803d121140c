/**
 * The crash test: `tickwork local` killed with SIGKILL at a random moment around a burst of one-time
 * jobs, started again on the same data directory, for a few rounds. Every slot must end up
 *   - run: one run record, `succeeded`, and the receiver got the webhook (at least once);
 *   - retried: a Lambda retry of its event waits in the event journal (an attempt the process died
 *     during is retried once its deadline passed: the prompt function's 60 s, longer than this test);
 *   - dead-lettered: in `dead-letters.jsonl`;
 *   - or recorded missed: a `missed` line of the emulator (its time passed while the stack was down);
 * never silently gone. The stack is reached only through its API (with the token of endpoints.json)
 * and the files of its data directory.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../../local/runtime.ts';
import { promptDefinition } from '../../support/jobs.ts';
import { endpointsOf, type Running, stopStarted, tickworkLocal } from './local-process.ts';

const ROUNDS = 3;
/** One-time jobs per round, due in three consecutive seconds. */
const JOBS_PER_ROUND = 30;
const PER_SECOND = 10;
/** From the start of the job creations to the first slot: room to create them all. */
const LEAD_MS = 6_000;
/**
 * The kill comes at a random moment from a little before the first slot to a little after the last:
 * before, the slots are missed; during and just after, slots are being fired, accepted and run.
 */
const KILL_BEFORE_MS = 200;
const KILL_AFTER_MS = 400;
const ports = ['--api-port', '0', '--scheduler-port', '0', '--dynamodb-port', '0'];

type Verdict = 'run' | 'retried' | 'dead-lettered' | 'missed' | 'gone';

interface Api {
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; json: unknown }>;
}

function apiOf(endpoints: LocalEndpoints): Api {
  return {
    async call(method, path, body) {
      const response = await fetch(`${endpoints.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoints.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

interface RunView {
  readonly job: string;
  readonly status: string;
}

async function allRuns(api: Api): Promise<RunView[]> {
  const runs: RunView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call('GET', `/runs?limit=100${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    expect(page.status, page.text).toBe(200);
    const body = page.json as { runs: RunView[]; nextCursor?: string | null };
    runs.push(...body.runs);
    cursor = typeof body.nextCursor === 'string' ? encodeURIComponent(body.nextCursor) : undefined;
  } while (cursor !== undefined);
  return runs;
}

/** Jobs whose scheduled event waits for a Lambda retry, by the event journal's last line about each event. */
async function jobsAwaitingRetry(dataDir: string): Promise<Set<string>> {
  let text = '';
  try {
    text = await readFile(join(dataDir, 'lambda-async-events.jsonl'), 'utf8');
  } catch {
    return new Set();
  }
  const events = new Map<string, { job?: string; step: string }>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let record: { op: string; id: string; payload?: string };
    try {
      record = JSON.parse(line);
    } catch {
      continue; // a torn last line
    }
    if (record.op === 'accepted') {
      const job = (JSON.parse(record.payload ?? '{}') as { job?: string }).job;
      events.set(record.id, { ...(job === undefined ? {} : { job }), step: 'accepted' });
    } else if (record.op === 'done') {
      events.delete(record.id);
    } else {
      const event = events.get(record.id);
      if (event !== undefined) event.step = record.op;
    }
  }
  return new Set(
    [...events.values()].flatMap((event) => (event.step === 'retry' && event.job ? [event.job] : [])),
  );
}

async function deadLettered(dataDir: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(dataDir, 'dead-letters.jsonl'), 'utf8');
    return new Set(
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { scheduleName: string }).scheduleName),
    );
  } catch {
    return new Set();
  }
}

function missedIn(output: string): Set<string> {
  return new Set(
    [...output.matchAll(/ scheduler missed schedule=tickwork-local-prompt\/(\S+)/g)].map((m) => m[1] ?? ''),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe('tickwork local killed with SIGKILL around a burst of slots', () => {
  let dataDir: string;
  let receiver: { url: string; deliveries: Map<string, number>; close: () => Promise<void> };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-crash-'));
    await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'crash-hook': 'crash-test-secret' }));
    const deliveries = new Map<string, number>();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const job = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { job: string }).job;
        deliveries.set(job, (deliveries.get(job) ?? 0) + 1);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/crash`,
      deliveries,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  });

  afterEach(async () => {
    await stopStarted('SIGKILL');
  });

  afterAll(async () => {
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startStack(): Promise<{ running: Running; api: Api }> {
    // A killed stack leaves its endpoints.json behind; the next one is ready once it wrote its own.
    await rm(join(dataDir, 'endpoints.json'), { force: true });
    const running = tickworkLocal(['--data-dir', dataDir, ...ports]);
    return { running, api: apiOf(await endpointsOf(running, dataDir)) };
  }

  it('Given rounds of one-time jobs, When the stack is killed at a random moment around their slots and started again, Then every slot is run, retried, dead-lettered or recorded missed', async () => {
    const outputs: string[] = [];
    const jobs: string[] = [];
    const kills: string[] = [];

    for (let round = 1; round <= ROUNDS; round++) {
      // Given a burst of one-time jobs due in three consecutive seconds
      const { running, api } = await startStack();
      const firstSlot = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
      const names = Array.from(
        { length: JOBS_PER_ROUND },
        (_, index) => `r${round}-${String(index).padStart(2, '0')}`,
      );
      const created = await Promise.all(
        names.map((name, index) =>
          api.call(
            'POST',
            '/jobs',
            promptDefinition(name, {
              schedule: `at(${new Date(firstSlot + Math.floor(index / PER_SECOND) * 1000).toISOString().slice(0, 19)})`,
              config: {
                prompt: 'Summarize the overnight alerts',
                target: { type: 'webhook', url: receiver.url, signingSecret: 'crash-hook' },
              },
            }),
          ),
        ),
      );
      expect(
        created.filter((answer) => answer.status !== 201).map((answer) => answer.text),
        'every job is created before its slot',
      ).toEqual([]);
      jobs.push(...names);

      // When the stack is killed at a random moment around the burst
      const lastSlot = firstSlot + Math.floor((JOBS_PER_ROUND - 1) / PER_SECOND) * 1000;
      const killAt =
        firstSlot - KILL_BEFORE_MS + Math.random() * (lastSlot - firstSlot + KILL_BEFORE_MS + KILL_AFTER_MS);
      await sleep(killAt - Date.now());
      running.child.kill('SIGKILL');
      expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
      kills.push(`round ${round}: killed ${Math.round(killAt - firstSlot)} ms after the first slot`);
      outputs.push(running.stdout());
    }

    // And started again on the data directory, until every slot has come to an end it can stay at
    const { running, api } = await startStack();
    const verdicts = new Map<string, Verdict>();
    const runsByJob = new Map<string, RunView[]>();
    const deadline = Date.now() + 40_000;
    for (;;) {
      const runs = await allRuns(api);
      const retried = await jobsAwaitingRetry(dataDir);
      const letters = await deadLettered(dataDir);
      const missed = missedIn([...outputs, running.stdout()].join('\n'));
      runsByJob.clear();
      for (const run of runs) runsByJob.set(run.job, [...(runsByJob.get(run.job) ?? []), run]);
      for (const job of jobs) {
        const jobRuns = runsByJob.get(job) ?? [];
        const verdict: Verdict =
          jobRuns.length === 1 && jobRuns[0]?.status === 'succeeded'
            ? 'run'
            : retried.has(job)
              ? 'retried'
              : letters.has(job)
                ? 'dead-lettered'
                : missed.has(job) && jobRuns.length === 0
                  ? 'missed'
                  : 'gone';
        verdicts.set(job, verdict);
      }
      if (![...verdicts.values()].includes('gone') || Date.now() > deadline) break;
      await sleep(500);
    }
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });

    // Then no slot is gone, no slot has two runs, and every run slot reached the receiver
    const tally: Record<Verdict, string[]> = {
      run: [],
      retried: [],
      'dead-lettered': [],
      missed: [],
      gone: [],
    };
    for (const [job, verdict] of verdicts) tally[verdict].push(job);
    const story = `${kills.join('; ')}; ${Object.entries(tally)
      .map(([verdict, names]) => `${verdict}: ${names.length}`)
      .join(', ')}`;
    expect(
      tally.gone.map((job) => `${job}: runs ${JSON.stringify(runsByJob.get(job) ?? [])}`),
      story,
    ).toEqual([]);
    expect(
      jobs.filter((job) => (runsByJob.get(job)?.length ?? 0) > 1),
      story,
    ).toEqual([]);
    expect(
      tally.run.filter((job) => (receiver.deliveries.get(job) ?? 0) < 1),
      story,
    ).toEqual([]);
    // And the retries still waiting were kept through the graceful stop, for the next start
    const stillRetried = await jobsAwaitingRetry(dataDir);
    expect(
      tally.retried.filter((job) => !stillRetried.has(job)),
      story,
    ).toEqual([]);
  }, 180_000);
});
