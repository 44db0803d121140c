/**
 * A small AI-operations platform and model for the calibration tests, with the contract `tickwork
 * demo-platform` serves: `GET /calibration/prompts` (only the prompts not answered yet), `POST
 * /calibration/responses`, `GET /registry/prompts?model=&version=`, a signed `POST /ingest`, and an
 * OpenAI-compatible `POST /v1/chat/completions` (deterministic answers with `usage`, scripted 429s
 * with `Retry-After`). Tests script it through its public fields and read what it received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../shared/kinds/signature.ts';

export interface PlatformRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SubmittedResponse {
  readonly promptId: string;
  readonly responseId: string;
  readonly text: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

export interface CalibrationPlatform {
  readonly url: string;
  readonly requests: PlatformRequest[];
  /** Prompts of the responses flow; answered ones are no longer listed. */
  prompts: { promptId: string; text: string }[];
  /** Prompts of the registry flow. */
  registryPrompts: { promptId: string; text: string }[];
  /** Accepted answers of the responses flow, by promptId. */
  readonly answered: Map<string, SubmittedResponse>;
  /** Accepted ingests, by Idempotency-Key (a repeated key is acknowledged and dropped). */
  readonly ingested: Map<string, { responses: SubmittedResponse[] }>;
  /** The signing secret /ingest verifies against. */
  signingSecret: string;
  /** The time /ingest checks signatures at (a test's clock). @default the wall clock */
  now: () => Date;
  /** Answers given instead of the real one, per path, in order (then the real one again). */
  readonly script: Map<string, ScriptedAnswer[]>;
  /** Called on each model call before it answers (a test can hold it, or abort the run meanwhile). */
  onModelCall?: (prompt: string) => Promise<void>;
  modelCalls: number;
  close(): Promise<void>;
}

/** The deterministic model: the answer names the prompt; tokens are a word count. */
export function modelAnswer(prompt: string): string {
  return `answer to: ${prompt}`;
}

export function tokensOf(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

export async function startCalibrationPlatform(): Promise<CalibrationPlatform> {
  let server: Server;
  const platform: CalibrationPlatform = {
    url: '',
    requests: [],
    prompts: [],
    registryPrompts: [],
    answered: new Map(),
    ingested: new Map(),
    signingSecret: 'ingest-secret',
    now: () => new Date(),
    script: new Map(),
    modelCalls: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = async (request: PlatformRequest): Promise<ScriptedAnswer> => {
    const url = new URL(request.path, 'http://platform');
    const scripted = platform.script.get(url.pathname)?.shift();
    if (url.pathname === '/v1/chat/completions') platform.modelCalls++;
    if (scripted !== undefined) return scripted;
    const json = (status: number, value: unknown): ScriptedAnswer => ({
      status,
      body: JSON.stringify(value),
    });
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /calibration/prompts':
        return json(200, {
          calibrationRunId: 'cal-run-1',
          prompts: platform.prompts.filter((prompt) => !platform.answered.has(prompt.promptId)),
        });
      case 'POST /calibration/responses': {
        const body = JSON.parse(request.body) as { responses: SubmittedResponse[] };
        for (const response of body.responses) platform.answered.set(response.promptId, response);
        return json(200, { accepted: body.responses.length });
      }
      case 'GET /registry/prompts':
        return json(200, { prompts: platform.registryPrompts });
      case 'POST /ingest': {
        const check = verifySignature(
          String(request.headers['tickwork-signature']),
          request.body,
          platform.signingSecret,
          { now: platform.now() },
        );
        if (!check.valid) return json(401, { error: check.reason });
        const key = String(request.headers['idempotency-key']);
        if (!platform.ingested.has(key)) platform.ingested.set(key, JSON.parse(request.body));
        return json(202, { accepted: true });
      }
      case 'POST /v1/chat/completions': {
        const body = JSON.parse(request.body) as { messages: { content: string }[] };
        const prompt = body.messages[0]?.content ?? '';
        await platform.onModelCall?.(prompt);
        const text = modelAnswer(prompt);
        return json(200, {
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: tokensOf(prompt), completion_tokens: tokensOf(text) },
        });
      }
      default:
        return json(404, { error: 'not found' });
    }
  };

  server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const request: PlatformRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      platform.requests.push(request);
      try {
        const answer = await handle(request);
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body);
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(platform, { url: `http://127.0.0.1:${port}` });
}
