/**
 * The pause note on the local stack: `POST /jobs/{name}/pause {"note"}` stores why a job is paused, the
 * job view and `/status` show it, a write that leaves the job paused keeps it, resume clears it; a bad
 * body is a 400 naming the field, with nothing written; no body still pauses.
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

async function statusOf(name: string) {
  const answer = await api.call('GET', '/status');
  expect(answer.status).toBe(200);
  return (answer.json.jobs as Array<{ name: string; pauseNote?: string; health: string }>).find(
    (job) => job.name === name,
  );
}

describe('the pause note', () => {
  it('Given a job, When it is paused with a note, Then the job and status show the note until resume clears it', async () => {
    // Given
    expect((await api.call('POST', '/jobs', { body: promptJob('noted') })).status).toBe(201);
    // When
    const paused = await api.call('POST', '/jobs/noted/pause', { body: { note: 'vendor outage, INC-42' } });
    // Then
    expect(paused.status, paused.text).toBe(200);
    expect(paused.json).toMatchObject({ enabled: false, pauseNote: 'vendor outage, INC-42' });
    expect((await api.call('GET', '/jobs/noted')).json.pauseNote).toBe('vendor outage, INC-42');
    expect(await statusOf('noted')).toMatchObject({ health: 'paused', pauseNote: 'vendor outage, INC-42' });

    // A write that leaves the job paused keeps the note that says why.
    const patched = await api.call('PATCH', '/jobs/noted', { body: { description: 'nightly digest' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.pauseNote).toBe('vendor outage, INC-42');
    // Pausing again without a note leaves it; with one, replaces it.
    expect((await api.call('POST', '/jobs/noted/pause')).json.pauseNote).toBe('vendor outage, INC-42');
    const renoted = await api.call('POST', '/jobs/noted/pause', { body: { note: 'waiting for keys' } });
    expect(renoted.json.pauseNote).toBe('waiting for keys');

    const resumed = await api.call('POST', '/jobs/noted/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.json.enabled).toBe(true);
    expect(resumed.json).not.toHaveProperty('pauseNote');
    expect((await api.call('GET', '/jobs/noted')).json).not.toHaveProperty('pauseNote');
    expect(await statusOf('noted')).not.toHaveProperty('pauseNote');
  });

  it('Given a job, When it is paused with an empty body or none, Then it is paused without a note', async () => {
    expect((await api.call('POST', '/jobs', { body: promptJob('plain') })).status).toBe(201);
    const bare = await api.call('POST', '/jobs/plain/pause');
    expect(bare.status, bare.text).toBe(200);
    expect(bare.json.enabled).toBe(false);
    expect(bare.json).not.toHaveProperty('pauseNote');
    expect((await api.call('POST', '/jobs/plain/resume')).status).toBe(200);
    const empty = await api.call('POST', '/jobs/plain/pause', { body: {} });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.json).toMatchObject({ enabled: false });
    expect(empty.json).not.toHaveProperty('pauseNote');
  });

  it.each([
    ['a number', 'note', { note: 5 }],
    ['an unknown field', 'reason', { note: 'ok', reason: 'x' }],
    ['an empty note', 'note', { note: '   ' }],
    ['a note too long', 'note', { note: 'x'.repeat(281) }],
    ['an escape sequence', 'note', { note: '\u001b[2Jgone' }],
    ['a line break', 'note', { note: 'two\nlines' }],
  ])(
    'Given an enabled job, When the pause body has %s, Then 400 names %s and nothing is written',
    async (_, field, body) => {
      // Given
      if ((await api.call('GET', '/jobs/steady')).status === 404) {
        expect((await api.call('POST', '/jobs', { body: promptJob('steady') })).status).toBe(201);
      }
      const before = await api.call('GET', '/jobs/steady');
      // When
      const answer = await api.call('POST', '/jobs/steady/pause', { body });
      // Then
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
      const after = await api.call('GET', '/jobs/steady');
      expect(after.json).toEqual(before.json);
      expect(after.json.enabled).toBe(true);
    },
  );
});
