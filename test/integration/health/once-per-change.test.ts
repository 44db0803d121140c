/**
 * One alert per recorded health change, on the real DynamoDB engine: observers that see the same change
 * at once (sweeps, a delivery past its deadline, a run's end) race for one conditional write of the
 * job's health, and only the writer that made the change calls HealthAlerts.changed. The alerts port is
 * the subject's output here, so the test gives it a recorder; the store is the real adapter.
 */
import { describe, expect, it } from 'vitest';
import { DynamoHealthStore } from '../../../shared/adapters/dynamodb/health-store.ts';
import type { HealthAlerts, HealthChange } from '../../../shared/health/model.ts';
import { type HealthDeps, trackRunEnd, trackSlot } from '../../../shared/health/tracker.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { ManualClock, promptJob, stores, useEngine } from '../ledger/support.ts';

const engine = useEngine('dynalite');

class RecordedAlerts implements HealthAlerts {
  readonly changes: HealthChange[] = [];
  async changed(_job: Job, change: HealthChange): Promise<void> {
    this.changes.push(change);
  }
}

function world(name: string) {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const alerts = new RecordedAlerts();
  const deps: HealthDeps = {
    store: new DynamoHealthStore(engine().doc, engine().tables.jobs),
    alerts,
    clock,
    log: silentLogger,
  };
  const job = promptJob(name, { failureThreshold: 2 });
  return { deps, alerts, job, jobs: stores(engine(), clock).jobs };
}

function ended(job: Job, runId: string, status: Run['status']): Run {
  return {
    runId,
    job: job.name,
    slot: `2026-03-01T1${runId.at(-1)}:00:00.000Z`,
    trigger: 'schedule',
    status,
    scheduledFor: '2026-03-01T11:00:00.000Z',
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: 0,
  };
}

describe('one alert per change', () => {
  it('Given ten observers of the same missed slot at once, Then the job turns missed once and one alert is sent', async () => {
    const { deps, alerts, job, jobs } = world('raced');
    await jobs.create(job);

    await Promise.all(
      Array.from({ length: 10 }, () =>
        trackSlot(deps, job, 'missed', 'slot 11:00 had no run by its deadline'),
      ),
    );

    expect(alerts.changes).toEqual([
      {
        job: 'raced',
        health: 'missed',
        previous: 'ok',
        at: '2026-03-01T12:00:00.000Z',
        reason: 'slot 11:00 had no run by its deadline',
      },
    ]);
    expect(await deps.store.health(job)).toMatchObject({ health: 'missed' });
  });

  it('Given failureThreshold 2, When a failed run is counted again (a repeated delivery of its end), Then it counts once and nothing changes', async () => {
    const { deps, alerts, job, jobs } = world('repeated');
    await jobs.create(job);

    const first = ended(job, '01J00000000000000000000001', 'failed');
    await trackRunEnd(deps, job, first);
    await trackRunEnd(deps, job, first);

    expect(await deps.store.health(job)).toEqual({ health: 'ok', failures: 1, successes: 0 });
    expect(alerts.changes).toEqual([]);

    // When a second run fails, the job is failing, alerted once; and a success brings it back, alerted once
    await trackRunEnd(deps, job, ended(job, '01J00000000000000000000002', 'failed'));
    await trackRunEnd(deps, job, ended(job, '01J00000000000000000000003', 'succeeded'));
    expect(alerts.changes.map((change) => [change.previous, change.health])).toEqual([
      ['ok', 'failing'],
      ['failing', 'ok'],
    ]);
  });
});
