/**
 * Every write route of the API (from shared/api/routes.ts: a route added there without a case here
 * fails the typecheck) takes random hostile input on the local stack (dynalite, the Scheduler emulator,
 * the Lambda runtime): it never answers a 5xx; a refused request leaves every job, run and schedule as
 * it was, byte for byte; an accepted one stores what it was sent (tags, config, run parameters read
 * back equal), after which the fixture is put back.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteKey } from '../../../shared/api/routes.ts';
import { type ContentsReader, contentsReader, type EngineContents } from './contents.ts';
import {
  backfillBody,
  jobBody,
  patchBody,
  query,
  rawBody,
  referenceMergePatch,
  runBody,
  segment,
  validJob,
} from './hostile-json.ts';
import { type ApiAnswer, type ApiHarness, startApiHarness, until } from './support.ts';

/** Runs per route: enough to meet each kind of hostile input, few enough for the file to stay fast. */
const RUNS = 40;

const FIXTURE = 'fixture';
const FRESH = 'fresh-job';

let api: ApiHarness;
let contents: ContentsReader;
/** A run of the fixture that has finished (its secret does not exist): cancelling it is a conflict. */
let finishedRun: string;

beforeAll(async () => {
  api = await startApiHarness();
  contents = contentsReader(api);
  await restore();
  const started = await api.call('POST', `/jobs/${FIXTURE}/runs`);
  expect(started.status, started.text).toBe(202);
  finishedRun = started.json.runId;
  await settle();
});

afterAll(async () => {
  contents?.close();
  await api?.close();
});

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

type Accepted = (answer: ApiAnswer, request: Request, before: EngineContents) => Promise<void>;

type WriteRoute = Exclude<RouteKey, `GET ${string}`>;

/** Mostly JSON built from a valid body, sometimes a raw one (deep, huge, broken). */
const asText = (body: fc.Arbitrary<unknown>, name: string) =>
  fc.oneof(
    { arbitrary: body.map((value) => JSON.stringify(value)), weight: 4 },
    { arbitrary: rawBody(name), weight: 1 },
  );

/** A request of `method` on `path` (with a hostile query string) and one of `bodies`. */
const request = (method: string, path: fc.Arbitrary<string>, bodies: fc.Arbitrary<string | undefined>) =>
  fc.record({ path, query, body: bodies }).map(
    ({ path, query, body }): Request => ({
      method,
      path: `${path}${query}`,
      ...(body === undefined ? {} : { body }),
    }),
  );

/** A job route with a hostile name, and a body built for that name (so it passes the name check mostly). */
const onJob = (
  method: string,
  suffix: string,
  bodies: (name: string) => fc.Arbitrary<string | undefined>,
  names: readonly string[] = [FIXTURE, FRESH],
) => segment(names).chain((name) => request(method, fc.constant(`/jobs/${name}${suffix}`), bodies(name)));

const anyBody = (name: string) =>
  fc.option(fc.oneof(asText(jobBody(name), name), asText(runBody, name), asText(patchBody, name)), {
    nil: undefined,
  });

const ROUTES: Record<WriteRoute, { readonly requests: fc.Arbitrary<Request>; readonly accepted: Accepted }> =
  {
    'POST /jobs': {
      requests: request('POST', fc.constant('/jobs'), asText(jobBody(FRESH), FRESH)),
      accepted: async (answer, sent) => {
        expect(answer.status).toBe(201);
        await expectStoredAsSent(answer.json.name, sent);
        await restore();
      },
    },
    'PUT /jobs/{name}': {
      requests: onJob('PUT', '', (name) => asText(jobBody(name), name)),
      accepted: async (answer, sent) => {
        await expectStoredAsSent(answer.json.name, sent);
        await restore();
      },
    },
    'PATCH /jobs/{name}': {
      // Only the fixture can be patched: a fresh name would only add 404s.
      requests: onJob('PATCH', '', (name) => asText(patchBody, name), [FIXTURE]),
      accepted: async (answer, sent) => {
        // Only the fixture exists, as the canonical job: the patch merges into its config and tags.
        const patch = JSON.parse(sent.body ?? '{}');
        const canonical = validJob(FIXTURE);
        const read = await api.call('GET', `/jobs/${FIXTURE}`);
        expect(answer.json.name).toBe(FIXTURE);
        expect(read.json.config).toEqual(
          patch.config === undefined ? canonical.config : referenceMergePatch(canonical.config, patch.config),
        );
        // `"tags": null` clears them: a field of the job, not a member of a merge.
        expect(read.json.tags).toEqual(patch.tags == null ? {} : referenceMergePatch({}, patch.tags));
        await restore();
      },
    },
    'DELETE /jobs/{name}': {
      requests: onJob('DELETE', '', anyBody),
      accepted: async () => restore(),
    },
    'POST /jobs/{name}/pause': {
      requests: onJob('POST', '/pause', anyBody),
      accepted: async () => restore(),
    },
    'POST /jobs/{name}/resume': {
      requests: onJob('POST', '/resume', anyBody),
      // The fixture is enabled: resuming it writes nothing.
      accepted: async (_, __, before) => expect(await contents.read()).toEqual(before),
    },
    'POST /jobs/{name}/runs': {
      requests: onJob('POST', '/runs', (name) => fc.option(asText(runBody, name), { nil: undefined })),
      accepted: async (answer, sent) => {
        expect(answer.status).toBe(202);
        const params =
          sent.body === undefined || sent.body === '' ? {} : (JSON.parse(sent.body).params ?? {});
        const read = await api.call('GET', `/runs/${answer.json.runId}`);
        expect(read.json.params ?? {}).toEqual(params);
        await settle();
      },
    },
    'POST /jobs/{name}/backfill': {
      requests: onJob('POST', '/backfill', (name) =>
        fc.option(fc.oneof(asText(backfillBody, name), anyBody(name)), { nil: undefined }),
      ),
      // The fixture fires only in 2099 and a backfill covers past slots: no request here may be accepted.
      accepted: async (answer, sent) => {
        expect(answer.status, explain(sent, answer)).toBeGreaterThanOrEqual(400);
      },
    },
    'POST /jobs/{name}/checkpoints/{connector}/reset': {
      requests: onJob('POST', '/checkpoints/crm/reset', anyBody),
      // The fixture is a prompt job, which keeps no keyed checkpoints: no request here may be accepted.
      accepted: async (answer, sent) => {
        expect(answer.status, explain(sent, answer)).toBeGreaterThanOrEqual(400);
      },
    },
    'POST /runs/{runId}/cancel': {
      requests: request(
        'POST',
        segment(['finished']).map((id) => `/runs/${id === 'finished' ? finishedRun : id}/cancel`),
        anyBody(FIXTURE),
      ),
      accepted: async () => settle(),
    },
    'POST /reconcile': {
      requests: request('POST', fc.constant('/reconcile'), anyBody(FIXTURE)),
      // Nothing drifted: reconciling, even for real, writes nothing.
      accepted: async (_, __, before) => expect(await contents.read()).toEqual(before),
    },
  };

describe('every write route under hostile JSON', () => {
  it.each(Object.entries(ROUTES))(
    '%s: never a 5xx, and a refused request writes nothing',
    async (_, route) => {
      await fc.assert(
        fc.asyncProperty(route.requests, async (sent) => {
          const before = await contents.read();
          const answer = await api.call(
            sent.method,
            sent.path,
            sent.body === undefined ? {} : { body: sent.body },
          );
          expect(answer.status, explain(sent, answer)).toBeLessThan(500);
          if (answer.status >= 400) {
            expect(answer.json?.error?.type, explain(sent, answer)).toEqual(expect.any(String));
            expect(await contents.read(), explain(sent, answer)).toEqual(before);
            return;
          }
          await route.accepted(answer, sent, before);
        }),
        { numRuns: RUNS },
      );
    },
  );
});

/** The job's tags and config read back as the request body gave them. */
async function expectStoredAsSent(name: string, sent: Request): Promise<void> {
  const definition = JSON.parse(sent.body ?? '{}');
  const read = await api.call('GET', `/jobs/${encodeURIComponent(name)}`);
  expect(read.status, read.text).toBe(200);
  expect(read.json.tags).toEqual(definition.tags ?? {});
  expect(read.json.config).toEqual(definition.config);
}

/** Back to the fixture alone, as first written, with every run finished. */
async function restore(): Promise<void> {
  const listed = await api.call('GET', '/jobs?limit=100');
  for (const { name } of listed.json.jobs as { name: string }[]) {
    if (name !== FIXTURE) expect((await api.call('DELETE', `/jobs/${name}`)).status).toBe(204);
  }
  const fixture = await api.call('PUT', `/jobs/${FIXTURE}`, { body: validJob(FIXTURE) });
  expect([200, 201], fixture.text).toContain(fixture.status);
  await settle();
}

/** Waits until no run is pending, running or retrying: their function is still writing them. */
async function settle(): Promise<void> {
  const busy = (answer: ApiAnswer) =>
    (answer.json.runs as { status: string }[]).some((run) =>
      ['pending', 'running', 'retrying'].includes(run.status),
    );
  const answer = await until(
    () => api.call('GET', '/runs?limit=100'),
    (listed) => !busy(listed),
    20_000,
    50,
  );
  expect(busy(answer), answer.text).toBe(false);
}

function explain(sent: Request, answer: ApiAnswer): string {
  const body =
    sent.body === undefined ? '(no body)' : `${sent.body.slice(0, 300)}${sent.body.length > 300 ? '…' : ''}`;
  return `${sent.method} ${sent.path.slice(0, 200)} ${body} → ${answer.status} ${answer.text.slice(0, 300)}`;
}
