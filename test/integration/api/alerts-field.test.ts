/**
 * A job's `alerts` field on the local stack: stored and shown as given (the secret by name), its secret
 * checked like a kind's (a warning, not a refusal), removed by a PATCH to null; a bad field is a 400
 * naming the field and the rule, with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, promptJob, startApiHarness } from './support.ts';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api?.close();
});

const ALERTS = { url: 'http://127.0.0.1:8787/alerts', signingSecret: 'ops/alerts', reAlertMinutes: 30 };

describe('the alerts field', () => {
  it('Given no secret yet, When a job with alerts is created, Then it is stored, shown and warned about, and PATCH null removes it', async () => {
    // When
    const created = await api.call('POST', '/jobs', { body: promptJob('alerted', { alerts: ALERTS }) });
    // Then
    expect(created.status, created.text).toBe(201);
    expect(created.json.alerts).toEqual(ALERTS);
    expect(created.json.warnings).toContainEqual({
      field: 'alerts.signingSecret',
      message: expect.stringContaining('secret "ops/alerts" does not exist yet'),
    });
    expect((await api.call('GET', '/jobs/alerted')).json.alerts).toEqual(ALERTS);
    // A patch replaces the field whole; null removes it.
    const patched = await api.call('PATCH', '/jobs/alerted', {
      body: { alerts: { url: ALERTS.url, signingSecret: 'ops/alerts' } },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.alerts).toEqual({ url: ALERTS.url, signingSecret: 'ops/alerts' });
    const cleared = await api.call('PATCH', '/jobs/alerted', { body: { alerts: null } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.json).not.toHaveProperty('alerts');
    expect((await api.call('GET', '/jobs/alerted')).json).not.toHaveProperty('alerts');
  });

  it.each([
    ['not an object', 'alerts', 'must be an object {url, signingSecret, reAlertMinutes?}', 'https://x'],
    ['no url', 'alerts.url', 'must be a URL string', { signingSecret: 'ops/alerts' }],
    ['a relative url', 'alerts.url', 'must be an absolute http(s) URL', { ...ALERTS, url: '/alerts' }],
    [
      'a token in the url',
      'alerts.url',
      'must not carry credentials in its query string',
      { ...ALERTS, url: 'https://hooks.example.com/a?token=abc' },
    ],
    [
      'a secret value instead of a name',
      'alerts.signingSecret',
      'must be the NAME of a secret',
      { ...ALERTS, signingSecret: 'has spaces and "quotes"' },
    ],
    [
      'a reminder too often',
      'alerts.reAlertMinutes',
      'must be from 5 to 10080 minutes',
      { ...ALERTS, reAlertMinutes: 1 },
    ],
    [
      'a reminder too rare',
      'alerts.reAlertMinutes',
      'must be from 5 to 10080 minutes',
      { ...ALERTS, reAlertMinutes: 10_081 },
    ],
    [
      'a fractional reminder',
      'alerts.reAlertMinutes',
      'whole number of minutes',
      { ...ALERTS, reAlertMinutes: 7.5 },
    ],
    ['an inline secret', 'alerts.secret', 'not a known field', { ...ALERTS, secret: 'inline' }],
  ])(
    'Given alerts with %s, When the job is created, Then 400 names %s and nothing is written',
    async (_, field, rule, alerts) => {
      // Given
      const before = await api.snapshot();
      // When
      const answer = await api.call('POST', '/jobs', { body: promptJob('refused', { alerts }) });
      // Then
      expect(answer.status, answer.text).toBe(400);
      const details = answer.json.error.details as { field: string; message: string }[];
      expect(details.find((detail) => detail.field === field)?.message ?? '', answer.text).toContain(rule);
      expect(await api.snapshot()).toEqual(before);
    },
  );

  it('Given a job, When a PATCH sets bad alerts, Then 400 names the field and the job is unchanged', async () => {
    // Given
    expect((await api.call('POST', '/jobs', { body: promptJob('patched-badly') })).status).toBe(201);
    const before = await api.call('GET', '/jobs/patched-badly');
    // When
    const answer = await api.call('PATCH', '/jobs/patched-badly', {
      body: { alerts: { ...ALERTS, reAlertMinutes: 0 } },
    });
    // Then
    expect(answer.status, answer.text).toBe(400);
    expect(answer.json.error.details.map((detail: { field: string }) => detail.field)).toContain(
      'alerts.reAlertMinutes',
    );
    expect((await api.call('GET', '/jobs/patched-badly')).json).toEqual(before.json);
  });
});
