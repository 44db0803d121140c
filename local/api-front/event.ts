/**
 * An HTTP request as API Gateway HTTP API hands it to a Lambda integration: the payload format 2.0
 * event (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface RequestParts {
  readonly method: string;
  /** Request target as received: path and optional query, still percent-encoded. */
  readonly url: string;
  /** e.g. `1.1` */
  readonly httpVersion: string;
  /** Header name (any case) to its values, one entry per header line. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly time: Date;
  readonly accountId: string;
  readonly apiId: string;
  /** Used when the request has no Host header. */
  readonly fallbackDomainName: string;
}

/**
 * Content types API Gateway passes as text; every other body (and a body without a content type)
 * arrives base64-encoded with `isBase64Encoded: true`.
 */
const TEXT_CONTENT_TYPE =
  /^\s*(text\/[^;\s]+|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|[\w.-]+\+(json|xml)))\s*(;|$)/i;

export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType);
}

/**
 * Builds the event. Header names are lower-cased and repeated headers joined with ','; the Cookie
 * header becomes `cookies`; repeated query keys are joined with ','. The Authorization header is not
 * passed on: it carries the local API token, which is the front's business, not the function's.
 */
export function toHttpApiEvent(request: RequestParts): APIGatewayProxyEventV2 {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headers)) {
    if (values === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'authorization') continue;
    if (key === 'cookie') {
      cookies = cookies.concat(
        values
          .flatMap((value) => value.split(';').map((cookie) => cookie.trim()))
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    headers[key] = headers[key] === undefined ? values.join(',') : `${headers[key]},${values.join(',')}`;
  }

  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }

  const domainName = headers.host ?? request.fallbackDomainName;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: request.accountId,
      apiId: request.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: '$default',
      stage: '$default',
      time: formatRequestTime(request.time),
      timeEpoch: request.time.getTime(),
    },
    isBase64Encoded: false,
  };
  // API Gateway leaves out the members that would be empty.
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (request.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`
  );
}
