/**
 * HTTP-level pieces of the API function: the error for requests whose form is wrong (route, method,
 * content type, size, JSON syntax, query string), and the JSON response shape.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteKey } from '../../shared/api/routes.ts';
import type { Problem } from '../../shared/errors.ts';

/**
 * A request the API cannot take as sent. Unlike the domain errors this one knows its HTTP status:
 * it is raised by the HTTP layer itself.
 */
export class HttpRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Every problem, when the request broke several rules (the message names the first). */
    readonly details?: readonly Problem[],
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

/** The event as it moves through the middleware: the router and the body parser add their results. */
export interface ApiEvent extends APIGatewayProxyEventV2 {
  /** Set by the request-context middleware. */
  tickworkRequestId?: string;
  /** Set by the router. */
  tickworkRoute?: { readonly key: RouteKey; readonly params: Readonly<Record<string, string>> };
  /** Set by the body parser on routes that take a JSON body. */
  tickworkBody?: unknown;
}

export type ApiResult = APIGatewayProxyStructuredResultV2;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function emptyResponse(statusCode: number): ApiResult {
  return { statusCode, headers: {}, body: '' };
}

/**
 * `{"error": {"type", "message", "details"?}}`: the one error shape of the API. `details` lists every
 * problem of a request that broke rules (`[{"field", "message"}]`, the first is `message`).
 */
export function errorResponse(
  statusCode: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
  details?: readonly Problem[],
): ApiResult {
  return jsonResponse(
    statusCode,
    { error: { type, message, ...(details === undefined ? {} : { details }) } },
    headers,
  );
}
