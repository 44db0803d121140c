/**
 * One trace of a run across both retry layers (issue 13 §4): the job function's own observability
 * (functions/commons/observability.ts in `aws` mode: Powertools Logger and Metrics) around the run
 * lifecycle on dynalite, through the metered ledger the composition root builds. A first attempt fails,
 * Lambda's async retry runs it again (a new request id, the same event), then Scheduler redelivers the
 * slot (a new execution id): every log line and every EMF line of the three invocations names the run.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createObservability } from '../../../functions/commons/observability.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import { METRIC_NAMES } from '../../../shared/metric-names.ts';
import { meteredRunLedger } from '../../../shared/metrics-ledger.ts';
import { executeRun, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { lambdaContext } from '../../support/lambda-context.ts';
import { captureOutputJson } from '../../support/output-lines.ts';
import { ManualClock, promptJob, runDeps, stores, useEngine } from './support.ts';

const SLOT = '2026-03-01T12:00:00.000Z';

function slotEvent(job: Job, executionId: string): JobEvent {
  return { job: job.name, scheduledTime: SLOT, executionId, attempt: '1', trigger: 'schedule' };
}

/** EMF lines carry `_aws`; the rest are log lines. */
const isEmf = (line: Record<string, unknown>) => '_aws' in line;

describe('one trace of a run, across Lambda retries and Scheduler redeliveries', () => {
  const engine = useEngine('dynalite');
  const output = captureOutputJson();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('Given a run that fails once, is retried and redelivered, Then every line of every attempt carries its run id', async () => {
    // Given a job function composed as in AWS, whose first attempt fails
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const clock = new ManualClock('2026-03-01T12:00:03.000Z');
    const observability = createObservability(
      { stage: 'test', mode: 'aws', logLevel: 'info', logFormat: 'json' },
      clock,
    );
    const { log, metrics, instrument } = observability;
    const deps = runDeps(engine(), clock, log.child({ kind: 'prompt' }), {
      runs: meteredRunLedger(stores(engine(), clock).runs, metrics, () => 'prompt', log),
      retryPolicy: { delaysMs: [60_000] },
    });
    const job = promptJob('traced');
    await deps.jobs.create(job);
    let attempts = 0;
    const work: RunWork = async ({ log: runLog }) => {
      attempts++;
      runLog.info('delivering');
      if (attempts === 1) throw new Error('webhook answered HTTP 503');
      return { delivered: true };
    };
    const handler = instrument((event: JobEvent, _context: Context) => executeRun(deps, event, work));

    // When Scheduler delivers the slot, Lambda retries the failed attempt, and Scheduler delivers it again
    await expect(handler(slotEvent(job, 'exec-1'), lambdaContext('request-1'))).rejects.toThrow('HTTP 503');
    clock.advance(60_000);
    const retried = await handler(slotEvent(job, 'exec-1'), lambdaContext('request-2'));
    const redelivered = await handler(slotEvent(job, 'exec-2'), lambdaContext('request-3'));

    // Then
    expect(retried.outcome).toBe('succeeded');
    expect(redelivered.outcome).toBe('duplicate');
    const run = await deps.runs.get(job.name, SLOT);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2, duplicatesSuppressed: 1 });
    const lines = output();
    const logLines = lines.filter((line) => !isEmf(line));
    const emfLines = lines.filter(isEmf);
    // Every line, log or metric, names the run: one Logs Insights filter on runId finds them all.
    expect(lines.filter((line) => line.runId !== run?.runId)).toEqual([]);
    // Each invocation's lines carry its request id, and the first its cold start.
    expect(
      logLines.map((line) => [line.function_request_id, line.cold_start, line.level, line.message]),
    ).toEqual([
      ['request-1', true, 'INFO', 'delivering'],
      ['request-1', true, 'ERROR', 'run attempt failed; Lambda retries it'],
      ['request-2', false, 'INFO', 'run retried'],
      ['request-2', false, 'INFO', 'delivering'],
      ['request-2', false, 'INFO', 'run succeeded'],
      ['request-3', false, 'INFO', 'duplicate delivery suppressed'],
    ]);
    expect(logLines.filter((line) => line.message === 'delivering').map((line) => line.attempt)).toEqual([
      1, 2,
    ]);
    // The metrics: the start lag of the first attempt, the run's end once (not the retrying attempt),
    // the duplicate; one EMF line per invocation and dimension set.
    const metricValues = emfLines.flatMap((line) =>
      Object.values(METRIC_NAMES)
        .filter((name) => name in line)
        .map((name) => [name, line[name], line.kind, line.outcome]),
    );
    expect(metricValues).toEqual([
      [METRIC_NAMES.startLag, 3_000, 'prompt', undefined],
      [METRIC_NAMES.runs, 1, 'prompt', 'succeeded'],
      [METRIC_NAMES.duration, 0, 'prompt', undefined],
      [METRIC_NAMES.duplicatesSuppressed, 1, 'prompt', undefined],
    ]);
  });
});
