import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPowertoolsLogger, powertoolsLogger } from '../../../../shared/adapters/powertools/logger.ts';
import { lambdaContext } from '../../../support/lambda-context.ts';
import { captureOutputJson } from '../../../support/output-lines.ts';

describe('the logger port over a real Powertools Logger', () => {
  const lines = captureOutputJson();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('Given a child for a run, When it logs in two invocations, Then each line is JSON with level, message, request id, cold start, job and run id', () => {
    // Given one Powertools Logger per container (Lambda tells it how the container started), and the
    // lifecycle's children (kind at cold start, then the run)
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const powertools = createPowertoolsLogger({ serviceName: 'tickwork-test', level: 'info' });
    const kindLog = powertoolsLogger(powertools).child({ kind: 'prompt' });
    // When two invocations log about the same run (the first attempt, then Lambda's retry)
    powertools.addContext(lambdaContext('request-1'));
    kindLog.child({ job: 'nightly', runId: '01JRUN', attempt: 1 }).error('run attempt failed', {
      error: { type: 'WebhookRejectedError', message: 'HTTP 503' },
    });
    powertools.addContext(lambdaContext('request-2'));
    kindLog.child({ job: 'nightly', runId: '01JRUN', attempt: 2 }).info('run succeeded', { durationMs: 12 });
    // Then
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'run attempt failed',
        service: 'tickwork-test',
        function_request_id: 'request-1',
        cold_start: true,
        function_name: 'tickwork-test-prompt',
        kind: 'prompt',
        job: 'nightly',
        runId: '01JRUN',
        attempt: 1,
        error: { type: 'WebhookRejectedError', message: 'HTTP 503' },
        timestamp: expect.any(String),
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'run succeeded',
        function_request_id: 'request-2',
        cold_start: false,
        kind: 'prompt',
        job: 'nightly',
        runId: '01JRUN',
        attempt: 2,
        durationMs: 12,
      }),
    ]);
  });

  it.each([
    ['info', 'debug', false],
    ['info', 'info', true],
    ['warn', 'info', false],
    ['debug', 'debug', true],
    ['error', 'warn', false],
  ] as const)(
    'Given level %s, Then a %s line is enabled: %s, and written only then',
    (level, line, enabled) => {
      const log = powertoolsLogger(createPowertoolsLogger({ serviceName: 'tickwork-test', level }));
      expect(log.enabled(line)).toBe(enabled);
      log[line]('probe');
      expect(lines().map((entry) => entry.message)).toEqual(enabled ? ['probe'] : []);
    },
  );
});
