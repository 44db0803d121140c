/**
 * The task kind's http target against a local server that verifies the Tickwork-Signature the way a
 * receiver does, through the outbound guard and the real lifecycle on dynalite.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import {
  givenTaskJob,
  runOf,
  SIGNING_SECRET,
  START,
  scheduled,
  setup,
  taskEvent,
  useTaskWorld,
} from './support.ts';

const world = useTaskWorld();

interface Call {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signatureValid: boolean;
}

let server: Server;
let url: string;
let calls: Call[];
let answer: { status: number; type: string; body: string };

beforeEach(async () => {
  calls = [];
  answer = { status: 200, type: 'application/json', body: '{"accepted": true}' };
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers['tickwork-signature'];
      const check = verifySignature(typeof header === 'string' ? header : undefined, body, SIGNING_SECRET, {
        now: new Date(START),
      });
      calls.push({
        method: request.method ?? '',
        headers: request.headers,
        body,
        signatureValid: check.valid,
      });
      response.writeHead(check.valid ? answer.status : 401, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tasks/reminders`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const httpJob = () => ({
  target: { type: 'http', url, signingSecret: 'task/signing' },
  payload: { invoiceIds: ['A-1'] },
});

describe('a task job with an http target', () => {
  it("POSTs the TaskEvent signed, with the run id as Idempotency-Key, and keeps a JSON answer as the run's result", async () => {
    const { deps, work } = setup(world);
    const job = await givenTaskJob(deps, httpJob());
    answer = { status: 202, type: 'application/json; charset=utf-8', body: '{"queued": 1, "ticket": "T-9"}' };

    await executeRun(deps, scheduled(job), work);

    const run = await runOf(deps, job);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.signatureValid).toBe(true);
    expect(calls[0]?.headers['idempotency-key']).toBe(run.runId);
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual(taskEvent(job, run, { invoiceIds: ['A-1'] }));
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual({ queued: 1, ticket: 'T-9' });
  });

  it('uses the method the target names, and records the status when the answer is not JSON', async () => {
    const { deps, work } = setup(world);
    const job = await givenTaskJob(deps, { target: { ...httpJob().target, method: 'PUT' } });
    answer = { status: 200, type: 'text/plain', body: 'ok' };
    await executeRun(deps, scheduled(job), work);
    expect(calls[0]?.method).toBe('PUT');
    expect((await runOf(deps, job)).result).toEqual({ httpStatus: 200 });
  });

  it('fails the run on a non-2xx answer, naming the status and the start of the body', async () => {
    const { deps, work } = setup(world);
    const job = await givenTaskJob(deps, httpJob());
    answer = { status: 503, type: 'text/plain', body: 'try later' };
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow('answered HTTP 503: try later');
    expect((await runOf(deps, job)).error).toEqual({
      type: 'TaskHttpError',
      message: `${url} answered HTTP 503: try later`,
    });
  });

  it('fails the run for good when the JSON answer is larger than 64 KB', async () => {
    const { deps, work } = setup(world);
    const job = await givenTaskJob(deps, httpJob());
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ blob: 'x'.repeat(70_000) }) };
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(outcome.outcome).toBe('failed');
    expect((await runOf(deps, job)).error).toEqual({
      type: 'TaskTargetError',
      message: `${url} answered more than 65536 bytes`,
    });
  });

  it('fails the run for good when an answer said to be JSON is not', async () => {
    const { deps, work } = setup(world);
    const job = await givenTaskJob(deps, httpJob());
    answer = { status: 200, type: 'application/json', body: '{"half":' };
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(outcome.outcome).toBe('failed');
    expect((await runOf(deps, job)).error?.message).toContain('that is not JSON');
  });
});
