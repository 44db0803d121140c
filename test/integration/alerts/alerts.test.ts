/**
 * The alerts on their real parts (dynalite, the SNS client over HTTP, the outbound guard, a receiver that
 * checks signatures): one message per job per change on each channel, failed sends retried by the
 * reminder pass, reminders while a job stays unhealthy, recovery stopping them, many jobs at once sent
 * with bounded concurrency.
 */
import { describe, expect, it } from 'vitest';
import { sendDueAlerts } from '../../../shared/alerts/alerts.ts';
import { changeOf, minutes, SECRET_VALUE, TOPIC_ARN, useAlertsWorld } from './support.ts';

describe('a health change', () => {
  const world = useAlertsWorld();

  it('Given a job with alerts, When its change is reported twice at once, Then the topic and the webhook get it once, signed, with the change as the body', async () => {
    // Given
    const { alerts, clock, sns, receiver, store } = world();
    const job = await world().job('digest');
    const change = changeOf('digest', 'missed', 'ok', clock.now());
    // When
    await Promise.all([alerts.changed(job, change), alerts.changed(job, change)]);
    // Then
    const published = sns.published.filter((message) => message.message.includes('"digest"'));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      topicArn: TOPIC_ARN,
      subject: 'Tickwork: digest is missed (was ok)',
      attributes: {
        job: { dataType: 'String', value: 'digest' },
        health: { dataType: 'String', value: 'missed' },
      },
    });
    expect(JSON.parse(published[0]?.message ?? '')).toEqual(change);
    const posts = receiver.received.filter((post) => post.body.includes('"digest"'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toBe('/alerts');
    expect(posts[0]?.body).toBe(
      JSON.stringify({
        job: 'digest',
        health: 'missed',
        previous: 'ok',
        at: change.at,
        reason: change.reason,
      }),
    );
    expect(posts[0]?.headers['content-type']).toBe('application/json');
    expect(posts[0]?.headers['idempotency-key']).toBe(`digest:missed:${change.at}`);
    expect(posts[0]?.signature).toMatchObject({ valid: true });
    // Nothing is owed: no reminders were asked for, so the record is out of the due index.
    expect(await store.get('digest')).toMatchObject({ pending: [], failures: 0, reminder: 0 });
    expect((await store.get('digest'))?.nextAlertAt).toBeUndefined();
  });

  it('Given a change already sent, When the same change or an older one is reported again, Then nothing more is sent', async () => {
    // Given
    const { alerts, clock, sns, receiver } = world();
    const job = await world().job('repeat');
    const first = changeOf('repeat', 'late', 'ok', clock.now());
    await alerts.changed(job, first);
    const count = () =>
      sns.published.filter((m) => m.message.includes('"repeat"')).length +
      receiver.received.filter((p) => p.body.includes('"repeat"')).length;
    expect(count()).toBe(2);
    // When
    await alerts.changed(job, first);
    await alerts.changed(job, changeOf('repeat', 'failing', 'ok', new Date(clock.now().getTime() - 1_000)));
    // Then
    expect(count()).toBe(2);
  });

  it('Given a webhook that fails, When the change is sent, Then the failure is logged without the secret and the reminder pass sends it again once it is due', async () => {
    // Given
    const { alerts, clock, sns, receiver, store, logLines, deps } = world();
    const job = await world().job('flaky');
    const change = changeOf('flaky', 'failing', 'ok', clock.now());
    receiver.answerNext(503);
    // When
    await alerts.changed(job, change);
    // Then the topic has it, the webhook is owed
    const posts = () => receiver.received.filter((post) => post.body.includes('"flaky"'));
    const published = () => sns.published.filter((message) => message.message.includes('"flaky"'));
    expect(posts()).toHaveLength(1);
    expect(published()).toHaveLength(1);
    expect(await store.get('flaky')).toMatchObject({ pending: ['webhook'], failures: 1 });
    const failure = logLines.find((line) => line.includes('alert not sent') && line.includes('flaky'));
    expect(failure).toContain('AlertWebhookRejectedError');
    expect(logLines.join('\n')).not.toContain(SECRET_VALUE);

    // Not yet due: the pass sends nothing
    await sendDueAlerts(deps);
    expect(posts()).toHaveLength(1);
    // Due a minute later: the webhook alone gets it again, with the same idempotency key
    clock.advance(minutes(1));
    const summary = await sendDueAlerts(deps);
    expect(summary).toMatchObject({ sent: 1, failed: 0 });
    expect(posts()).toHaveLength(2);
    expect(posts()[1]?.headers['idempotency-key']).toBe(`flaky:failing:${change.at}`);
    expect(posts()[1]?.signature).toMatchObject({ valid: true });
    expect(published()).toHaveLength(1);
    expect(await store.get('flaky')).toMatchObject({ pending: [], failures: 0 });
    expect((await store.get('flaky'))?.nextAlertAt).toBeUndefined();
  });

  it('Given a topic that refuses the publish, When the change is sent, Then the webhook has it and the topic gets it from the reminder pass', async () => {
    // Given
    const { alerts, clock, sns, receiver, store, logLines, deps } = world();
    const job = await world().job('throttled');
    const change = changeOf('throttled', 'late', 'ok', clock.now());
    // Not a throttle: the SDK retries those itself; a refusal it does not retry is the reminder pass's.
    sns.failNext({
      code: 'AuthorizationError',
      message: 'User is not authorized to perform: SNS:Publish on resource: tickwork-test-alerts',
      status: 403,
    });
    // When
    await alerts.changed(job, change);
    // Then
    const published = () => sns.published.filter((message) => message.message.includes('"throttled"'));
    expect(published()).toHaveLength(0);
    expect(receiver.received.filter((post) => post.body.includes('"throttled"'))).toHaveLength(1);
    expect(await store.get('throttled')).toMatchObject({ pending: ['topic'], failures: 1 });
    expect(logLines.find((line) => line.includes('alert not sent') && line.includes('throttled'))).toContain(
      'AuthorizationError',
    );
    clock.advance(minutes(1));
    await sendDueAlerts(deps);
    expect(published()).toHaveLength(1);
    expect(JSON.parse(published()[0]?.message ?? '')).toEqual(change);
    expect(receiver.received.filter((post) => post.body.includes('"throttled"'))).toHaveLength(1);
  });

  it('Given a job deleted after its change, When its retry is due, Then nothing is sent and its record is gone', async () => {
    // Given
    const { alerts, clock, receiver, store, jobs, deps } = world();
    const job = await world().job('deleted');
    receiver.answerNext(500);
    await alerts.changed(job, changeOf('deleted', 'missed', 'ok', clock.now()));
    const before = receiver.received.length;
    await jobs.delete('deleted', undefined);
    // When
    clock.advance(minutes(1));
    await sendDueAlerts(deps);
    // Then
    expect(receiver.received).toHaveLength(before);
    expect(await store.get('deleted')).toBeUndefined();
  });
});

describe('reminders', () => {
  const world = useAlertsWorld();

  it('Given a job with reAlertMinutes 5, When it stays missed, Then a reminder goes every 5 minutes until it recovers, and none after', async () => {
    // Given
    const { alerts, clock, sns, receiver, store, deps } = world();
    const job = await world().job('nagged', { reAlertMinutes: 5 });
    const change = changeOf('nagged', 'missed', 'ok', clock.now());
    await alerts.changed(job, change);
    const posts = () => receiver.received.filter((post) => post.body.includes('"nagged"'));
    const published = () => sns.published.filter((message) => message.message.includes('"nagged"'));
    expect(posts()).toHaveLength(1);

    // When 4 minutes pass: not due
    clock.advance(minutes(4));
    expect(await sendDueAlerts(deps)).toEqual({ due: 0, sent: 0, failed: 0 });
    expect(posts()).toHaveLength(1);
    // 5 minutes: the first reminder, on both channels, as a message of its own
    clock.advance(minutes(1));
    expect(await sendDueAlerts(deps)).toEqual({ due: 1, sent: 1, failed: 0 });
    expect(posts()).toHaveLength(2);
    expect(posts()[1]?.body).toBe(posts()[0]?.body);
    expect(posts()[1]?.headers['idempotency-key']).toBe(`nagged:missed:${change.at}:reminder-1`);
    expect(posts()[1]?.headers['tickwork-alert-reminder']).toBe('1');
    expect(published()).toHaveLength(2);
    expect(published()[1]?.subject).toBe('Tickwork: nagged is still (reminder 1) missed (was ok)');
    expect(published()[1]?.attributes.reminder).toEqual({ dataType: 'String', value: '1' });
    // Two passes at once at 10 minutes: the second reminder goes once
    clock.advance(minutes(5));
    await Promise.all([sendDueAlerts(deps), sendDueAlerts(deps)]);
    expect(posts()).toHaveLength(3);
    expect(posts()[2]?.headers['idempotency-key']).toBe(`nagged:missed:${change.at}:reminder-2`);
    expect(published()).toHaveLength(3);

    // Then the recovery is sent and stops the reminders
    clock.advance(minutes(1));
    await alerts.changed(job, changeOf('nagged', 'ok', 'missed', clock.now()));
    expect(posts()).toHaveLength(4);
    expect(JSON.parse(posts()[3]?.body ?? '')).toMatchObject({ health: 'ok', previous: 'missed' });
    expect((await store.get('nagged'))?.nextAlertAt).toBeUndefined();
    clock.advance(minutes(30));
    expect(await sendDueAlerts(deps)).toEqual({ due: 0, sent: 0, failed: 0 });
    expect(posts()).toHaveLength(4);
    expect(published()).toHaveLength(4);
  });

  it('Given a failing job with reAlertMinutes 5, When it is paused, Then the reminders stop and its record leaves the due index', async () => {
    const { alerts, clock, receiver, store, deps, jobs } = world();
    const job = await world().job('paused-later', { reAlertMinutes: 5 });
    await alerts.changed(job, changeOf('paused-later', 'failing', 'ok', clock.now()));
    const posts = () => receiver.received.filter((post) => post.body.includes('"paused-later"'));
    clock.advance(minutes(5));
    await sendDueAlerts(deps);
    expect(posts()).toHaveLength(2);

    await jobs.put({ ...job, enabled: false, version: job.version + 1 }, job.version);
    clock.advance(minutes(5));
    await sendDueAlerts(deps);
    clock.advance(minutes(30));
    await sendDueAlerts(deps);

    expect(posts()).toHaveLength(2);
    expect((await store.get('paused-later'))?.nextAlertAt).toBeUndefined();
  });

  it("Given a paused job, When reAlertMinutes pass, Then no reminder is sent (pausing is an operator's choice)", async () => {
    const { alerts, clock, receiver, deps } = world();
    const job = await world().job('paused-one', { reAlertMinutes: 5 });
    await alerts.changed(job, changeOf('paused-one', 'paused', 'ok', clock.now()));
    clock.advance(minutes(20));
    await sendDueAlerts(deps);
    expect(receiver.received.filter((post) => post.body.includes('"paused-one"'))).toHaveLength(1);
  });
});

describe('many jobs at once', () => {
  const world = useAlertsWorld({ concurrency: 3 });

  it('Given 30 jobs changing at once, When each change is reported (some twice), Then each job gets one message per change, at most 3 sent at a time', async () => {
    // Given
    const { alerts, clock, sns, receiver } = world();
    const names = Array.from({ length: 30 }, (_, i) => `storm-${i}`);
    const jobs = await Promise.all(names.map((name) => world().job(name)));
    const at = clock.now();
    // When
    await Promise.all(
      [...jobs, ...jobs.slice(0, 10)].map((job) => alerts.changed(job, changeOf(job.name, 'late', 'ok', at))),
    );
    // Then
    const jobsOf = (bodies: string[]) =>
      bodies.map((body) => (JSON.parse(body) as { job: string }).job).sort();
    expect(jobsOf(receiver.received.map((post) => post.body))).toEqual([...names].sort());
    expect(jobsOf(sns.published.map((message) => message.message))).toEqual([...names].sort());
    expect(receiver.maxInFlight).toBeLessThanOrEqual(3);
    expect(receiver.received.every((post) => post.signature.valid)).toBe(true);
  });
});
