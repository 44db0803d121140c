/**
 * A stand-in for Amazon Bedrock Runtime's Converse operation, answering its wire protocol (restJson1)
 * as the service does, over HTTP/2 as the client speaks it (cleartext for a local endpoint): `POST /model/{modelId}/converse` with a JSON body, answered with `output.message`,
 * `stopReason` and `usage`; errors as a status, an `X-Amzn-ErrorType` header and `{"message"}` (a
 * ThrottlingException is HTTP 429). The unmodified SDK client talks to it through its `endpoint`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Http2Server, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface ConverseCall {
  readonly modelId: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: {
    messages: { role: string; content: { text: string }[] }[];
    inferenceConfig?: Record<string, number>;
    requestMetadata?: Record<string, string>;
  };
}

export interface BedrockError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface BedrockStandIn {
  readonly url: string;
  readonly calls: ConverseCall[];
  /** Errors answered to the next calls, in order. */
  readonly errors: BedrockError[];
  close(): Promise<void>;
}

/** The stand-in model's answer to a prompt, and its token counts (words). */
export function bedrockAnswer(prompt: string): string {
  return `bedrock says: ${prompt}`;
}

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;

export async function startBedrockStandIn(): Promise<BedrockStandIn> {
  let server: Http2Server;
  const sessions = new Set<Http2Session>();
  const standIn: BedrockStandIn = {
    url: '',
    calls: [],
    errors: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': 'req-1',
          ...headers,
        });
        response.end(JSON.stringify(body));
      };
      const match = /^\/model\/([^/]+)\/converse$/.exec(request.url ?? '');
      if (request.method !== 'POST' || match?.[1] === undefined) {
        return reply(
          404,
          { message: 'Unknown operation' },
          { 'x-amzn-errortype': 'UnknownOperationException' },
        );
      }
      const call: ConverseCall = {
        modelId: decodeURIComponent(match[1]),
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      standIn.calls.push(call);
      const error = standIn.errors.shift();
      if (error !== undefined) {
        return reply(error.status, { message: error.message }, { 'x-amzn-errortype': error.type });
      }
      const prompt = call.body.messages[0]?.content[0]?.text ?? '';
      const text = bedrockAnswer(prompt);
      reply(200, {
        output: { message: { role: 'assistant', content: [{ text }] } },
        stopReason: 'end_turn',
        usage: {
          inputTokens: words(prompt),
          outputTokens: words(text),
          totalTokens: words(prompt) + words(text),
        },
        metrics: { latencyMs: 1 },
      });
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, { url: `http://127.0.0.1:${port}` });
}
