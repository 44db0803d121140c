/**
 * Chained jobs' rules (shared/jobs/chains.ts) on the in-memory ports, which pass the same contract
 * suites as DynamoDB (test/contract/): the shape of `then`, a chain to a missing job, cycles (the
 * message shows the cycle), the bound of the walk, PATCH replacing or removing `then`, and the delete
 * that refuses while other jobs chain to the job. Over HTTP on the real engines:
 * test/integration/api/chains.test.ts.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import {
  MemoryJobStore,
  MemoryRunLedger,
  MemorySchedulePort,
} from '../../../shared/adapters/memory/index.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { JobChainedToError, ValidationError } from '../../../shared/errors.ts';
import {
  checkChains,
  jobsChainingTo,
  MAX_CHAIN_REACH,
  MAX_CHAINED_JOBS,
  withoutLinksTo,
} from '../../../shared/jobs/chains.ts';
import type { JobChains } from '../../../shared/jobs/model.ts';
import { createJob, deleteJob, type JobServiceDeps, patchJob } from '../../../shared/jobs/service.ts';
import { parseJobDefinition, parseJobPatch } from '../../../shared/jobs/validation.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { promptDefinition, promptJob } from '../../support/jobs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const NOW = '2026-03-02T08:00:00.000Z';

function setup() {
  const clock = new ManualClock(NOW);
  const jobs = new MemoryJobStore(clock);
  const deps: JobServiceDeps = {
    jobs,
    runs: new MemoryRunLedger(clock),
    schedules: new MemorySchedulePort(clock),
    // These tests start no run: the real invoker with no function configured would refuse at once.
    invoker: createLambdaJobInvoker({ client: new LambdaClient({ region: 'us-east-1' }), functionArns: {} }),
    clock,
    deployment: {
      targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt' },
      roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
    },
    mode: 'local',
    runRetentionDays: 30,
    retryPolicy: { delaysMs: [] },
    secrets: new LocalSecretSource({ env: { TICKWORK_SECRET_HOOK_KEY: 'signing-secret' } }),
    log: silentLogger,
  };
  /** Stores job `name` with `then` as given (no check: the graph a test starts from). */
  const store = (name: string, then?: JobChains) =>
    jobs.create(promptJob(name, then === undefined ? {} : { then }));
  return { clock, jobs, deps, store };
}

/** The ValidationError a call throws (fails the test if it throws something else or nothing). */
async function validationErrorOf(call: () => unknown): Promise<ValidationError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** A body (or body fields) with `then`. */
function thenPatch(then: unknown) {
  return { then };
}

const names = (count: number) => Array.from({ length: count }, (_, index) => `job-${index}`);

describe('the shape of then', () => {
  it.each([
    ['no list', {}, 'then', /must name jobs in onSuccess or onFailure/],
    ['an empty list', { onSuccess: [] }, 'then.onSuccess', /at least one job/],
    [
      `more than ${MAX_CHAINED_JOBS} names`,
      { onFailure: names(MAX_CHAINED_JOBS + 1) },
      'then.onFailure',
      new RegExp(`at most ${MAX_CHAINED_JOBS} jobs`),
    ],
    ['a name twice', { onSuccess: ['a', 'b', 'a'] }, 'then.onSuccess.2', /"a" is named before/],
    ['a name breaking the name rule', { onSuccess: ['a b'] }, 'then.onSuccess.0', /must be 1-64 characters/],
    ['a name that is not a string', { onFailure: [7] }, 'then.onFailure.0', /must be a string/],
    ['a list that is not an array', { onSuccess: 'a' }, 'then.onSuccess', /must be an array/],
    ['an unknown list', { onCancel: ['a'] }, 'then.onCancel', /not a known field/],
    ['not an object', ['a'], 'then', /must be an object/],
  ])('refuses %s, naming %s and the rule', (_case, then, field, rule) => {
    const error = (() => {
      try {
        parseJobDefinition(promptDefinition('chained', { then }));
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const problem = (error as ValidationError).details.find((detail) => detail.field === field);
    expect(problem?.message).toMatch(rule);
  });

  it.each([
    ['onSuccess only', { onSuccess: ['a'] }],
    ['onFailure only', { onFailure: ['a', 'b'] }],
    ['both, the same job in each', { onSuccess: ['a'], onFailure: ['a'] }],
    [`${MAX_CHAINED_JOBS} names`, { onSuccess: names(MAX_CHAINED_JOBS) }],
  ])('accepts %s', (_case, then) => {
    expect(parseJobDefinition(promptDefinition('chained', { then })).then).toEqual(then);
  });

  it('takes then: null in a PATCH (remove it) but not in a definition', async () => {
    expect(parseJobPatch(thenPatch(null))).toEqual(thenPatch(null));
    const error = await validationErrorOf(() =>
      parseJobDefinition(promptDefinition('chained', thenPatch(null))),
    );
    expect(error.field).toBe('then');
  });
});

describe('checkChains', () => {
  it('accepts links to jobs that exist and lead nowhere back', async () => {
    const { jobs, store } = setup();
    await store('b');
    await store('c', { onSuccess: ['b'] });
    await expect(checkChains(jobs, 'a', { onSuccess: ['c'], onFailure: ['b'] })).resolves.toBeUndefined();
  });

  it('names every link to a missing job, and the job itself as a cycle, in one error', async () => {
    const { jobs, store } = setup();
    await store('b');
    const error = await validationErrorOf(() =>
      checkChains(jobs, 'a', { onSuccess: ['b', 'ghost'], onFailure: ['a'] }),
    );
    expect(error.details).toEqual([
      { field: 'then.onSuccess.1', message: expect.stringMatching(/job "ghost", which does not exist/) },
      { field: 'then.onFailure.0', message: expect.stringMatching(/names the job itself, a cycle: a → a$/) },
    ]);
  });

  it('treats a deleted one-time job kept as history as missing', async () => {
    const { jobs } = setup();
    await jobs.create(promptJob('gone', { oneTimeState: 'cancelled' }));
    const error = await validationErrorOf(() => checkChains(jobs, 'a', { onSuccess: ['gone'] }));
    expect(error.field).toBe('then.onSuccess.0');
  });

  it('shows the shortest cycle through either list', async () => {
    const { jobs, store } = setup();
    // a → b (success) → c (failure) → a, and a longer way b → d → e → a.
    await store('e', { onSuccess: ['a'] });
    await store('d', { onSuccess: ['e'] });
    await store('c', { onFailure: ['a'] });
    await store('b', { onSuccess: ['d'], onFailure: ['c'] });
    const error = await validationErrorOf(() => checkChains(jobs, 'a', { onSuccess: ['b'] }));
    expect(error.details).toEqual([
      { field: 'then.onSuccess.0', message: expect.stringContaining('would form a cycle: a → b → c → a;') },
    ]);
  });

  it(`refuses a chain that reaches more than ${MAX_CHAIN_REACH} jobs`, async () => {
    const { jobs, store } = setup();
    // A line of MAX_CHAIN_REACH + 1 jobs: link-0 → link-1 → … → link-100.
    for (let index = MAX_CHAIN_REACH; index >= 0; index--) {
      await store(
        `link-${index}`,
        index === MAX_CHAIN_REACH ? undefined : { onSuccess: [`link-${index + 1}`] },
      );
    }
    const error = await validationErrorOf(() => checkChains(jobs, 'head', { onSuccess: ['link-0'] }));
    expect(error.field).toBe('then');
    expect(error.message).toContain(`at most ${MAX_CHAIN_REACH} jobs`);
    await expect(checkChains(jobs, 'head', { onSuccess: ['link-1'] })).resolves.toBeUndefined();
  });
});

describe('PATCH of then', () => {
  it('replaces then whole, removes it with null, and leaves it when not named', async () => {
    const { deps, store } = setup();
    await store('b');
    await store('c');
    await createJob(deps, promptDefinition('a', thenPatch({ onSuccess: ['b'], onFailure: ['c'] })));

    const described = await patchJob(deps, 'a', { description: 'other field' });
    expect(described.job.then).toEqual({ onSuccess: ['b'], onFailure: ['c'] });
    const replaced = await patchJob(deps, 'a', thenPatch({ onFailure: ['b'] }));
    expect(replaced.job.then).toEqual({ onFailure: ['b'] });
    const removed = await patchJob(deps, 'a', thenPatch(null));
    expect(removed.job.then).toBeUndefined();
    expect((await deps.jobs.get('a'))?.then).toBeUndefined();
  });
});

describe('deleting a job others chain to', () => {
  it('refuses, naming the jobs, unless asked to unlink; unlinking keeps their other links', async () => {
    const { deps, store } = setup();
    await store('target');
    await store('other');
    await store('ref-1', { onSuccess: ['target', 'other'], onFailure: ['target'] });
    await store('ref-2', { onFailure: ['target'] });
    await store('unrelated', { onSuccess: ['other'] });

    await expect(deleteJob(deps, 'target')).rejects.toThrow(JobChainedToError);
    await expect(deleteJob(deps, 'target')).rejects.toMatchObject({ referrers: ['ref-1', 'ref-2'] });
    expect(await deps.jobs.get('target')).toBeDefined();

    await deleteJob(deps, 'target', { unlinkChains: true });
    expect(await deps.jobs.get('target')).toBeUndefined();
    expect((await deps.jobs.get('ref-1'))?.then).toEqual({ onSuccess: ['other'] });
    expect((await deps.jobs.get('ref-2'))?.then).toBeUndefined();
    expect((await deps.jobs.get('unrelated'))?.then).toEqual({ onSuccess: ['other'] });
    expect(await jobsChainingTo(deps.jobs, 'other')).toHaveLength(2);
  });

  it('pages through every job to find those that chain to it', async () => {
    const { jobs, store } = setup();
    await store('target');
    for (const name of names(230))
      await store(name, name.endsWith('7') ? { onFailure: ['target'] } : undefined);
    const found = await jobsChainingTo(jobs, 'target');
    expect(found.map((job) => job.name)).toEqual(
      names(230)
        .filter((name) => name.endsWith('7'))
        .sort(),
    );
  });

  it('withoutLinksTo drops the links to one job and empty lists', () => {
    expect(withoutLinksTo({ onSuccess: ['x', 'y'], onFailure: ['x'] }, 'x')).toEqual({ onSuccess: ['y'] });
    expect(withoutLinksTo({ onFailure: ['x'] }, 'x')).toBeUndefined();
    expect(withoutLinksTo(undefined, 'x')).toBeUndefined();
  });
});
