/**
 * A small server for the AWS JSON protocols (awsJson1_0, awsJson1_1) as the services answer them, for
 * testing adapters through the unmodified SDK clients over HTTP: `POST /` with `X-Amz-Target:
 * <prefix>.<Operation>`, a SigV4-signed JSON body, a JSON answer, and errors as HTTP 400 with
 * `{"__type", "message"}` (and `x-amzn-query-error` for services that keep awsQuery error codes).
 * Requests pass the same guard as the local stack's listeners (signature with the test credentials).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequestGuard } from '../../local/http/guard.ts';
import { type HttpListener, listenHttp } from '../../local/http/server.ts';
import { SignatureError } from '../../local/http/sigv4.ts';
import { TEST_CREDENTIALS } from './sigv4.ts';

export const TEST_REGION = 'us-east-1';

/** An error the service answers with: its code (`__type`) and message. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AwsServiceError';
  }
}

export type Operation = (
  input: Record<string, unknown>,
  request: IncomingMessage,
) => unknown | Promise<unknown>;

export interface AwsJsonServerOptions {
  /** `1.0` or `1.1`: the content type's version. */
  readonly jsonVersion: '1.0' | '1.1';
  /** The X-Amz-Target prefix, e.g. `Logs_20140328`. */
  readonly targetPrefix: string;
  /** The SigV4 signing name, e.g. `logs`, `monitoring`. */
  readonly signingName: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** Adds `x-amzn-query-error: <code>;Sender` to errors, as awsQuery-compatible services do. */
  readonly queryCompatible?: boolean;
}

export interface AwsJsonServer {
  readonly endpoint: string;
  /** Every request received, in order: operation and decoded input. */
  readonly calls: { readonly operation: string; readonly input: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const guard = createRequestGuard({
    credentials: TEST_CREDENTIALS,
    region: TEST_REGION,
    service: options.signingName,
    maxBodyBytes: 1024 * 1024,
  });
  const calls: AwsJsonServer['calls'] = [];
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const answer = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': contentType,
      'x-amzn-requestid': crypto.randomUUID(),
      ...headers,
    });
    response.end(text);
  };
  const fail = (response: ServerResponse, error: AwsServiceError) =>
    answer(
      response,
      error.status,
      { __type: error.code, message: error.message },
      options.queryCompatible ? { 'x-amzn-query-error': `${error.code};Sender` } : {},
    );

  const server = createServer((request, response) => {
    void (async () => {
      try {
        const body = await guard(request);
        const target = request.headers['x-amz-target'];
        const prefix = `${options.targetPrefix}.`;
        if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
          throw new AwsServiceError('UnknownOperationException', `unknown target ${String(target)}`);
        }
        const operationName = target.slice(prefix.length);
        const operation = options.operations[operationName];
        if (operation === undefined) {
          throw new AwsServiceError('UnknownOperationException', `${operationName} is not served here`);
        }
        const input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        calls.push({ operation: operationName, input });
        const output = await operation(input, request);
        if (!response.destroyed) answer(response, 200, output ?? {});
      } catch (error) {
        if (response.destroyed) return;
        if (error instanceof AwsServiceError) fail(response, error);
        else if (error instanceof SignatureError)
          fail(response, new AwsServiceError(error.code, error.message, 403));
        else fail(response, new AwsServiceError('InternalFailure', String(error), 500));
      }
    })();
  });
  const listener: HttpListener = await listenHttp(server, { port: 0 });
  return {
    endpoint: listener.url,
    calls,
    close: async () => {
      await listener.close(0);
    },
  };
}
