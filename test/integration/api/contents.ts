/**
 * Everything the engines hold, item by item and schedule by schedule, as the engines return it (raw
 * AttributeValues, whole schedule definitions): two equal contents mean that nothing was written, not
 * only that no job, run or schedule appeared or went (which is what `snapshot()` in ./support.ts says).
 */
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, paginateListSchedules } from '@aws-sdk/client-scheduler';
import { tableName } from '../../../shared/tables.ts';
import type { ApiHarness } from './support.ts';

export interface EngineContents {
  readonly jobs: readonly Record<string, AttributeValue>[];
  readonly runs: readonly Record<string, AttributeValue>[];
  readonly schedules: readonly Record<string, unknown>[];
}

export interface ContentsReader {
  read(): Promise<EngineContents>;
  close(): void;
}

export function contentsReader(api: ApiHarness): ContentsReader {
  const { dynamodbEndpoint, scheduleGroups } = api.stack.endpoints;
  const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'us-east-1' });
  const scan = async (table: string) => {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  };
  return {
    async read() {
      const schedules: Record<string, unknown>[] = [];
      for (const group of Object.values(scheduleGroups)) {
        for await (const page of paginateListSchedules({ client: api.scheduler }, { GroupName: group })) {
          for (const summary of page.Schedules ?? []) {
            const { $metadata: _metadata, ...schedule } = await api.scheduler.send(
              new GetScheduleCommand({ Name: summary.Name, GroupName: group }),
            );
            schedules.push({ GroupName: group, ...schedule });
          }
        }
      }
      schedules.sort((a, b) => `${a.GroupName}/${a.Name}`.localeCompare(`${b.GroupName}/${b.Name}`));
      return {
        jobs: await scan(tableName('local', 'jobs')),
        runs: await scan(tableName('local', 'runs')),
        schedules,
      };
    },
    close() {
      dynamodb.destroy();
    },
  };
}

function keyOf(item: Record<string, AttributeValue>): string {
  return `${item.name?.S ?? item.job?.S}/${item.slot?.S ?? ''}`;
}
