/**
 * The document client translates the commands the adapters send and nothing else: a document command
 * it does not know, or one with legacy members holding values, is refused before anything is sent, so
 * no item reaches util-dynamodb's marshalling by way of a command added later.
 */
import { BatchWriteCommand, type GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';

// Port 9 (discard): a command that got as far as the network would fail with a connection error instead.
const client = createDocumentClient({
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
});

describe('JsonDocumentClient', () => {
  it.each([
    ['ScanCommand', new ScanCommand({ TableName: 'jobs' }), /ScanCommand is not supported/],
    [
      'BatchWriteCommand',
      new BatchWriteCommand({ RequestItems: { jobs: [{ PutRequest: { Item: { name: 'a' } } }] } }),
      /BatchWriteCommand is not supported/,
    ],
    [
      'a QueryCommand with KeyConditions',
      new QueryCommand({
        TableName: 'jobs',
        KeyConditions: { name: { ComparisonOperator: 'EQ', AttributeValueList: ['a'] } },
      }),
      /QueryCommand with KeyConditions is not supported/,
    ],
  ])('Given %s, When it is sent, Then it is refused before anything is sent', async (_, command, message) => {
    await expect(client.send(command as unknown as GetCommand)).rejects.toThrow(message);
  });

  it('Given a callback, When a command is sent, Then the callback gets the outcome', async () => {
    const outcome = await new Promise<unknown>((resolve) => {
      client.send(new ScanCommand({ TableName: 'jobs' }) as unknown as GetCommand, (error: unknown) =>
        resolve(error),
      );
    });
    expect(outcome).toBeInstanceOf(TypeError);
  });
});
