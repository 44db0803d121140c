import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INTERNAL_ERROR_MESSAGE, toHttpError } from '../../../functions/api/error-mapping.ts';
import { HttpRequestError } from '../../../functions/api/http.ts';
import {
  ConcurrentModificationError,
  JobAlreadyExistsError,
  JobConflictError,
  JobInvokeError,
  JobNotFoundError,
  RunConflictError,
  RunNotFoundError,
  SchedulerQuotaExceededError,
  SchedulerRequestError,
  SchedulerThrottledError,
  ValidationError,
} from '../../../shared/errors.ts';
import { ScheduleExpressionError, TimeZoneError } from '../../../shared/schedule/index.ts';

describe('toHttpError', () => {
  it.each<[string, Error, number, string]>([
    ['a validation error', new ValidationError('name', 'name must be ...'), 400, 'ValidationError'],
    [
      'a schedule expression error',
      new ScheduleExpressionError({
        field: 'minutes',
        value: '61',
        rule: 'must be 0-59',
        input: 'cron(61 * * * ? *)',
      }),
      400,
      'ValidationError',
    ],
    ['a time zone error', new TimeZoneError('Mars/Olympus'), 400, 'ValidationError'],
    ['a missing job', new JobNotFoundError('nightly'), 404, 'JobNotFound'],
    ['a missing run', new RunNotFoundError('01J00000000000000000000000'), 404, 'RunNotFound'],
    ['a concurrent edit', new ConcurrentModificationError('job "nightly"'), 409, 'ConcurrentModification'],
    ['a job conflict', new JobConflictError('cancelled'), 409, 'JobConflict'],
    ['a run conflict', new RunConflictError('already succeeded'), 409, 'RunConflict'],
    ['a Scheduler quota', new SchedulerQuotaExceededError('quota'), 429, 'SchedulerQuotaExceeded'],
    [
      'a Scheduler refusal',
      new SchedulerRequestError('CreateSchedule', 'ResourceNotFoundException', 'group missing'),
      502,
      'SchedulerError',
    ],
    ['a failed invoke', new JobInvokeError('could not start'), 502, 'JobInvokeFailed'],
    [
      'a request error',
      new HttpRequestError(415, 'UnsupportedMediaType', 'content-type ...'),
      415,
      'UnsupportedMediaType',
    ],
  ])('maps %s to %i %s with its message', (_case, error, statusCode, type) => {
    expect(toHttpError(error)).toMatchObject({ statusCode, type, message: error.message, expose: true });
  });

  it("maps a taken name to 409 and says, in the API's terms, how to replace the job", () => {
    expect(toHttpError(new JobAlreadyExistsError('nightly'))).toMatchObject({
      statusCode: 409,
      type: 'JobAlreadyExists',
      message: 'job "nightly" already exists; use PUT /jobs/nightly to replace it',
    });
  });

  it('maps Scheduler throttling to 503 with Retry-After', () => {
    const mapped = toHttpError(new SchedulerThrottledError('throttled', { retryAfterSeconds: 7 }));
    expect(mapped).toMatchObject({
      statusCode: 503,
      type: 'SchedulerThrottled',
      headers: { 'retry-after': '7' },
    });
  });

  it.each<[string, unknown]>([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    [
      'an SDK error',
      Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
    ],
    ['a zod error', new z.ZodError([])],
    ['a thrown string', 'boom'],
  ])('hides %s behind a generic 500', (_case, error) => {
    expect(toHttpError(error)).toEqual({
      statusCode: 500,
      type: 'InternalError',
      message: INTERNAL_ERROR_MESSAGE,
      headers: {},
      expose: false,
    });
  });
});
