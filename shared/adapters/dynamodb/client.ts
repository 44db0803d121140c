/**
 * The DynamoDB document client. A composition root calls `createDocumentClient` once at module scope
 * (cold start) and hands the client to every adapter, so connections are reused across invocations.
 * Its items are converted by ./attribute-values.ts, not util-dynamodb (./document-client.ts says why).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JsonDocumentClient } from './document-client.ts';

export interface DocumentClientOptions {
  /**
   * Engine URL (dynalite, DynamoDB Local). Absent: the SDK's own resolution, which honours
   * `AWS_ENDPOINT_URL_DYNAMODB`, so deployed code and the local runtime need no branch here.
   */
  readonly endpoint?: string;
  readonly region?: string;
  /** Extra client settings (credentials for a local engine, retry tuning). */
  readonly clientConfig?: Omit<DynamoDBClientConfig, 'endpoint' | 'region'>;
}

export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...options.clientConfig,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  // Optional fields of Job and Run are left out rather than stored as NULL (attribute-values.ts).
  return new JsonDocumentClient(client);
}

/** True for the error DynamoDB returns when a write's ConditionExpression does not hold. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
