import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../../shared/errors.ts';
import { buildJob, normalizeDefinition } from '../../../../shared/jobs/definition.ts';
import { applyPlan, JobsApplyError, type JobsPort } from '../../../../shared/jobs/file/apply.ts';
import type { ShownJob } from '../../../../shared/jobs/file/compare.ts';
import { definitionOfShown } from '../../../../shared/jobs/file/export.ts';
import { JobsPlanError, planJobs } from '../../../../shared/jobs/file/plan.ts';
import { planLines, planSummary } from '../../../../shared/jobs/file/render.ts';
import { type JobDefinition, parseJobDefinition } from '../../../../shared/jobs/validation.ts';
import { toJobView } from '../../../../shared/jobs/view.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

/** `then` of a definition's overrides (an object with a `then` member is not written literally: see chains.ts). */
function chain(list: 'onSuccess' | 'onFailure', names: string[]): Record<string, unknown> {
  return Object.fromEntries([['then', { [list]: names }]]);
}

/** A definition as a jobs file (or a request) gives it. */
function definition(name: string, overrides: Record<string, unknown> = {}): JobDefinition {
  return parseJobDefinition({
    name,
    kind: 'prompt',
    schedule: 'cron(0 9 ? * MON-FRI *)',
    config: {
      prompt: 'Summarize the overnight alerts',
      target: { type: 'webhook', url: 'http://127.0.0.1:9/hooks/tickwork', signingSecret: 'hook-key' },
    },
    ...overrides,
  });
}

/** The job as the API shows it once that definition is written: the server's own normalization and view. */
function shown(desired: JobDefinition, extra: Partial<ShownJob> = {}): ShownJob {
  const job = buildJob(normalizeDefinition(desired, { now: NOW, mode: 'local' }), NOW);
  return { ...toJobView(job, NOW), ...extra };
}

describe('planJobs', () => {
  it('Given jobs the API shows as written, including every default and normalization, When planned, Then all are unchanged', () => {
    const desired = [
      definition('plain'),
      // A schedule with spaces, a start date in another offset, a fan-out without its bounds, config defaults left out.
      definition('normalized', {
        schedule: '  rate(1 hour) ',
        startDate: '2026-07-01T02:00:00+02:00',
        expand: { url: 'http://127.0.0.1:9/contexts' },
        tags: { team: 'ml' },
        ...chain('onSuccess', ['plain']),
      }),
    ];

    const plan = planJobs(
      desired,
      desired.map((each) => shown(each)),
    );

    expect(plan.steps).toEqual([]);
    expect(plan.unchanged).toEqual(['plain', 'normalized']);
    expect(planSummary(plan)).toBe('Plan: 0 to create, 0 to change, 0 to delete, 2 unchanged.');
  });

  it('Given an exported job, When it is planned against itself, Then it is unchanged (the export round trip)', () => {
    const current = shown(
      definition('exported', { timezone: 'Europe/Berlin', enabled: false, overlap: 'allow' }),
    );

    const plan = planJobs([parseJobDefinition(definitionOfShown(current))], [current]);

    expect(plan).toEqual({ steps: [], unchanged: ['exported'] });
  });

  it('Given a job that differs, When planned, Then the change lists each differing field by its path', () => {
    const current = shown(definition('nightly', { description: 'old', tags: { team: 'ml' } }));
    const desired = definition('nightly', {
      schedule: 'rate(2 hours)',
      tags: { team: 'ml', tier: 'gold' },
      config: {
        prompt: 'Summarize the overnight alerts',
        target: { type: 'webhook', url: 'http://127.0.0.1:9/hooks/v2', signingSecret: 'hook-key' },
      },
    });

    const plan = planJobs([desired], [current]);

    expect(plan.steps).toEqual([
      {
        action: 'change',
        name: 'nightly',
        definition: desired,
        changes: [
          { field: 'schedule', before: 'cron(0 9 ? * MON-FRI *)', after: 'rate(2 hours)' },
          { field: 'description', before: 'old' },
          { field: 'tags.tier', after: 'gold' },
          {
            field: 'config.target.url',
            before: 'http://127.0.0.1:9/hooks/tickwork',
            after: 'http://127.0.0.1:9/hooks/v2',
          },
        ],
      },
    ]);
    expect(planLines(plan)).toEqual([
      '~ change nightly',
      '    schedule: "cron(0 9 ? * MON-FRI *)" → "rate(2 hours)"',
      '    - description: "old"',
      '    + tags.tier: "gold"',
      '    config.target.url: "http://127.0.0.1:9/hooks/tickwork" → "http://127.0.0.1:9/hooks/v2"',
    ]);
  });

  it('Given jobs the file does not name, When planned without and with prune, Then only prune deletes them, referrers first', () => {
    const target = shown(definition('target'));
    const referrer = shown(definition('referrer', { ...chain('onFailure', ['target']) }));
    const executed = shown(definition('ran-once', { schedule: 'at(2026-06-02T00:00:00)' }), {
      state: 'executed',
    });
    const current = [target, referrer, executed];

    expect(planJobs([], current).steps).toEqual([]);
    const pruned = planJobs([], current, { prune: true });

    // A one-time job that is over is left to expire, not pruned.
    expect(pruned.steps).toEqual([
      { action: 'delete', name: 'referrer' },
      { action: 'delete', name: 'target' },
    ]);
    expect(planLines(pruned)).toEqual(['- delete referrer', '- delete target']);
  });

  it('Given new jobs chaining to each other, When planned, Then creates come first, targets before their referrers, then changes', () => {
    const existing = definition('existing');
    const desired = [
      definition('existing', { ...chain('onSuccess', ['second']) }),
      definition('first', { ...chain('onSuccess', ['second']) }),
      definition('second', { ...chain('onFailure', ['third']) }),
      definition('third'),
    ];

    const plan = planJobs(desired, [shown(existing)]);

    expect(plan.steps.map((step) => `${step.action} ${step.name}`)).toEqual([
      'create third',
      'create second',
      'create first',
      'change existing',
    ]);
  });

  it('Given a one-time job deleted and kept as history, When the file has that name, Then it is a create written over the history', () => {
    const again = definition('once', { schedule: 'at(2026-06-02T00:00:00)' });

    const plan = planJobs([again], [shown(again, { state: 'cancelled' })]);

    expect(plan.steps).toEqual([{ action: 'create', name: 'once', definition: again, overHistory: true }]);
  });

  it('Given a link to a job that is neither in the file nor kept on the API, When planned, Then nothing is planned', () => {
    const desired = [definition('a', { ...chain('onSuccess', ['gone', 'elsewhere']) })];
    const current = [shown(definition('elsewhere'))];

    expect(() => planJobs(desired, [])).toThrow(JobsPlanError);
    expect(() => planJobs(desired, current, { prune: true })).toThrow(
      /then\.onSuccess\.0 names job "gone", which is neither in the file nor on the API.*then\.onSuccess\.1 names job "elsewhere", which is not in the file and --prune would delete/,
    );
  });
});

describe('applyPlan', () => {
  it('Given a step the port refuses, When applied, Then it stops there and says what was and was not applied', async () => {
    const written: string[] = [];
    const refusal = new Error('the API said no');
    const port: JobsPort = {
      list: async () => [],
      create: async (each): Promise<readonly Problem[]> => {
        if (each.name === 'b') throw refusal;
        written.push(each.name);
        return [];
      },
      put: async () => [],
      delete: async () => {},
    };
    const plan = planJobs([definition('a'), definition('b'), definition('c')], []);

    const failure = await applyPlan(port, plan).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(JobsApplyError);
    const error = failure as JobsApplyError;
    expect(error.message).toBe('create of job "b" failed: the API said no');
    expect(error.cause).toBe(refusal);
    expect(error.applied.map((step) => step.name)).toEqual(['a']);
    expect(error.notApplied.map((step) => step.name)).toEqual(['b', 'c']);
    expect(written).toEqual(['a']);
  });
});
