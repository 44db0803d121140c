/**
 * What only the DynamoDB stores can be asked about: the items in the table and the cursor encoding.
 * Everything a caller of the ports can observe is in the contract suites (test/contract/), which run
 * on both engines from test/integration/contract/dynamodb.test.ts and on the in-memory stores.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../shared/adapters/dynamodb/cursor.ts';
import { ValidationError } from '../../../shared/errors.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import { engineKinds, ManualClock, promptJob, stores, useEngine } from './support.ts';

const clock = new ManualClock('2026-03-01T12:00:00.000Z');

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  describe('DynamoJobStore', () => {
    it('Given no job, When a lease is asked for, Then the conditional update writes no stub item', async () => {
      // Given
      const { jobs } = stores(engine(), clock);
      const lease = { runId: newRunId(clock.now()), slot: 's', expiresAt: '2026-03-01T12:01:00.000Z' };
      // When
      expect(await jobs.acquireLease(promptJob('never-existed'), lease, clock.now())).toEqual({
        acquired: false,
        reason: 'deleted',
      });
      // Then the table itself holds nothing under the name
      const raw = await engine().doc.send(
        new GetCommand({ TableName: engine().tables.jobs, Key: { name: 'never-existed' } }),
      );
      expect(raw.Item).toBeUndefined();
    });

    it.each([
      ['the attributes of no index', encodeCursor({ name: 'page-a' })],
      ['another partition of the right index', encodeCursor({ name: 'page-a', listKey: 'other' })],
    ])(
      'Given a forged cursor with %s, When jobs are listed, Then it is a ValidationError, not a DynamoDB error',
      async (_case, cursor) => {
        const { jobs } = stores(engine(), clock);
        const error = await jobs.list({ limit: 2, cursor }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ field: 'cursor' });
      },
    );
  });
});
