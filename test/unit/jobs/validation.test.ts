import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { normalizeDefinition } from '../../../shared/jobs/definition.ts';
import { parseJobDefinition, parseJobPatch } from '../../../shared/jobs/validation.ts';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';

const now = new Date('2026-06-01T12:00:00Z');
const context = { now, mode: 'local' as const };

const config = {
  prompt: 'Summarize the overnight alerts',
  target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'tickwork/hook' },
};
const valid = { name: 'nightly-report', kind: 'prompt', schedule: 'cron(0 9 ? * MON-FRI *)', config };

/** The ValidationError a call throws (fails the test if it throws something else or nothing). */
function validationErrorOf(call: () => unknown): ValidationError {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('parseJobDefinition', () => {
  it('accepts a minimal definition and leaves defaults to normalization', () => {
    // Given a definition with only the required fields
    // When it is parsed
    const definition = parseJobDefinition(valid);
    // Then the fields come through unchanged
    expect(definition).toEqual(valid);
  });

  it.each([
    ['name missing', { ...valid, name: undefined }, 'name', /name is required/],
    [
      'name with a space',
      { ...valid, name: 'nightly report' },
      'name',
      /name must be 1-64 characters.*got "nightly report"/,
    ],
    ['name too long', { ...valid, name: 'x'.repeat(65) }, 'name', /name must be 1-64/],
    ['name a number', { ...valid, name: 42 }, 'name', /name must be a string, got number 42/],
    [
      'unknown kind',
      { ...valid, kind: 'shell' },
      'kind',
      new RegExp(`kind must be one of ${JOB_KINDS.map((kind) => `"${kind}"`).join(', ')}, got "shell"`),
    ],
    ['schedule missing', { ...valid, schedule: undefined }, 'schedule', /schedule is required/],
    ['schedule empty', { ...valid, schedule: '  ' }, 'schedule', /schedule must be a non-empty schedule/],
    ['schedule a number', { ...valid, schedule: 5 }, 'schedule', /schedule must be a string/],
    ['timezone empty', { ...valid, timezone: '' }, 'timezone', /timezone must be at least 1 characters/],
    [
      'description over 512',
      { ...valid, description: 'd'.repeat(513) },
      'description',
      /at most 512 characters/,
    ],
    ['enabled a string', { ...valid, enabled: 'yes' }, 'enabled', /enabled must be a boolean, got "yes"/],
    ['runImmediately a number', { ...valid, runImmediately: 1 }, 'runImmediately', /must be a boolean/],
    ['overlap unknown', { ...valid, overlap: 'queue' }, 'overlap', /overlap must be one of "skip", "allow"/],
    ['flexible window 0', { ...valid, flexibleWindowMinutes: 0 }, 'flexibleWindowMinutes', /at least 1/],
    [
      'flexible window 1441',
      { ...valid, flexibleWindowMinutes: 1441 },
      'flexibleWindowMinutes',
      /at most 1440/,
    ],
    [
      'flexible window 1.5',
      { ...valid, flexibleWindowMinutes: 1.5 },
      'flexibleWindowMinutes',
      /whole number/,
    ],
    [
      'startDate not ISO',
      { ...valid, startDate: 'tomorrow' },
      'startDate',
      /ISO-8601 instant.*got "tomorrow"/,
    ],
    ['endDate without zone', { ...valid, endDate: '2026-07-01T00:00:00' }, 'endDate', /ISO-8601 instant/],
    ['tags an array', { ...valid, tags: ['a'] }, 'tags', /tags must be an object, got an array/],
    ['tag value a number', { ...valid, tags: { team: 7 } }, 'tags.team', /must be a string/],
    ['tag value over 256', { ...valid, tags: { team: 'v'.repeat(257) } }, 'tags.team', /at most 256/],
    [
      'tag key over 128',
      { ...valid, tags: { ['k'.repeat(129)]: 'v' } },
      'tags',
      /tags keys must be 1-128 characters, got key "kkk/,
    ],
    [
      '51 tags',
      { ...valid, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])) },
      'tags',
      /at most 50 tags/,
    ],
    ['config a string', { ...valid, config: 'prompt' }, 'config', /config must be an object/],
    [
      'unknown field',
      { ...valid, retries: 3 },
      'retries',
      /retries is not a known field; unknown fields are rejected/,
    ],
    ['misspelled field', { ...valid, timeZone: 'UTC' }, 'timeZone', /timeZone is not a known field/],
  ])('rejects %s, naming the field and the rule', (_case, body, field, message) => {
    // Given a definition breaking one rule
    // When it is parsed
    const error = validationErrorOf(() => parseJobDefinition(body));
    // Then the error names the field and the rule
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'job'],
  ])('rejects a body that is %s', (_case, body) => {
    const error = validationErrorOf(() => parseJobDefinition(body));
    expect(error.message).toMatch(/the job definition must be an object/);
  });
});

describe('parseJobPatch', () => {
  it.each([
    ['one field', { enabled: false }],
    ['null clearing an optional field', { description: null, endDate: null }],
    ['a config patch', { config: { prompt: 'new text' } }],
    ['a schedule', { schedule: 'rate(10 minutes)' }],
  ])('accepts %s', (_case, body) => {
    expect(parseJobPatch(body)).toEqual(body);
  });

  it.each([
    ['no field', {}, '', /the patch must set at least one field/],
    ['the name', { name: 'other' }, 'name', /name: the name cannot be changed/],
    ['the kind', { kind: 'prompt' }, 'kind', /kind cannot be changed by PATCH; replace the job with PUT/],
    ['schedule cleared', { schedule: null }, 'schedule', /schedule must be a string, got null/],
    ['config cleared', { config: null }, 'config', /config must be an object, got null/],
    ['an unknown field', { color: 'red' }, 'color', /color is not a known field/],
    ['a wrong type', { overlap: 3 }, 'overlap', /overlap must be one of "skip", "allow", got number 3/],
  ])('rejects %s', (_case, body, field, message) => {
    const error = validationErrorOf(() => parseJobPatch(body));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe('normalizeDefinition', () => {
  it('applies the defaults and normalizes the schedule', () => {
    // Given a definition in crontab form with a zone
    const definition = parseJobDefinition({
      ...valid,
      schedule: '0 9 * * MON-FRI',
      timezone: 'Europe/Berlin',
    });
    // When it is normalized
    const fields = normalizeDefinition(definition, context);
    // Then the schedule is the EventBridge expression and the defaults are filled in
    expect(fields.schedule).toMatchObject({
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      type: 'cron',
    });
    expect(fields).toMatchObject({ enabled: true, overlap: 'skip', runImmediately: false, tags: {} });
  });

  it('stores dates as UTC instants', () => {
    const definition = parseJobDefinition({
      ...valid,
      startDate: '2026-06-02T09:00:00+02:00',
      endDate: '2026-12-31T00:00:00Z',
    });
    expect(normalizeDefinition(definition, context)).toMatchObject({
      startDate: '2026-06-02T07:00:00.000Z',
      endDate: '2026-12-31T00:00:00.000Z',
    });
  });

  it.each([
    ['a bad cron field', { schedule: 'cron(0 9 ? * 0 *)' }, 'schedule', /schedule: invalid day-of-week "0"/],
    ['an interval under a minute', { schedule: 'rate(30 seconds)' }, 'schedule', /schedule: invalid/],
    ['both day fields set', { schedule: 'cron(0 9 1 * MON *)' }, 'schedule', /schedule: invalid/],
    [
      'an unknown time zone',
      { timezone: 'Mars/Olympus' },
      'timezone',
      /timezone: unknown time zone "Mars\/Olympus"/,
    ],
    [
      'an endDate before the startDate',
      { startDate: '2026-07-01T00:00:00Z', endDate: '2026-06-15T00:00:00Z' },
      'endDate',
      /endDate must be after startDate/,
    ],
    [
      'an endDate in the past',
      { endDate: '2026-05-01T00:00:00Z' },
      'endDate',
      /endDate must be in the future/,
    ],
    ['at() in the past', { schedule: 'at(2026-05-31T09:00:00)' }, 'schedule', /is in the past/],
    [
      'at() in a daylight-saving gap (a local time that does not exist)',
      { schedule: 'at(2027-03-14T02:30:00)', timezone: 'America/New_York' },
      'schedule',
      /does not exist in America\/New_York: clocks jump from 2027-03-14T02:00:00 to 2027-03-14T03:00:00 that day; the nearest valid times are at\(2027-03-14T01:59:59\) and at\(2027-03-14T03:00:00\)/,
    ],
    [
      'a schedule that never fires in its bounds',
      { schedule: 'cron(0 9 1 1 ? *)', endDate: '2026-12-31T00:00:00Z' },
      'schedule',
      /never fires before endDate/,
    ],
    ['a cron whose year has passed', { schedule: 'cron(0 9 * * ? 2025)' }, 'schedule', /never fires/],
    [
      'runImmediately on a one-time schedule',
      { schedule: 'at(2026-06-02T09:00:00)', runImmediately: true },
      'runImmediately',
      /does not apply to a one-time at\(\) schedule/,
    ],
    [
      'startDate on a one-time schedule',
      { schedule: 'at(2026-06-02T09:00:00)', startDate: '2026-06-02T00:00:00Z' },
      'startDate',
      /does not apply/,
    ],
    ['a config missing its prompt', { config: { target: config.target } }, 'config.prompt', /config.prompt/],
    [
      'an inline secret in the config',
      { config: { ...config, token: 'abc' } },
      'config.token',
      /secrets are passed by reference/,
    ],
    [
      'an unknown config field',
      { config: { ...config, model: 'x' } },
      'config.model',
      /config.model is not a known field/,
    ],
  ])('rejects %s', (_case, change, field, message) => {
    // Given a definition that is well-formed but breaks a rule
    const definition = parseJobDefinition({ ...valid, ...change });
    // When it is normalized
    const error = validationErrorOf(() => normalizeDefinition(definition, context));
    // Then the error names the field and the rule
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('accepts at() in the future', () => {
    const definition = parseJobDefinition({ ...valid, schedule: 'at(2026-06-01T12:05:00)' });
    expect(normalizeDefinition(definition, context).schedule.type).toBe('at');
  });

  it('requires https webhooks in a deployed stack', () => {
    const definition = parseJobDefinition({
      ...valid,
      config: { ...config, target: { ...config.target, url: 'http://hooks.example.com/in' } },
    });
    const error = validationErrorOf(() => normalizeDefinition(definition, { now, mode: 'aws' }));
    expect(error.field).toBe('config.target.url');
  });
});
