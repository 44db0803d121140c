/**
 * POST /v1/chat/completions: an OpenAI-compatible, deterministic model with the configured latency
 * (waits side by side) and scripted 429s with Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { json, type Platform, TOKEN, withPlatform } from './support.ts';

function chat(platform: Platform, content: string, extra: Record<string, unknown> = {}) {
  return platform.call('/v1/chat/completions', {
    method: 'POST',
    body: JSON.stringify({
      model: 'demo-small',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content },
      ],
      ...extra,
    }),
  });
}

describe('POST /v1/chat/completions', () => {
  it('Given a chat request, Then an OpenAI chat.completion answering the last user message, with usage', async () => {
    await withPlatform({}, async (platform) => {
      const text =
        'Explain the difference between precision and recall to a product manager, briefly please.';
      const { status, body } = await json(
        await chat(platform, text, { max_tokens: 64, temperature: 0.2, top_p: 1 }),
      );
      expect(status).toBe(200);
      const content = `Answer to: ${text.slice(0, 60)}`;
      expect(body).toEqual({
        id: expect.stringMatching(/^chatcmpl-[0-9a-f]{24}$/),
        object: 'chat.completion',
        created: 1_772_355_600,
        model: 'demo-small',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: Math.ceil('You are terse.'.length / 4) + Math.ceil(text.length / 4),
          completion_tokens: Math.ceil(content.length / 4),
          total_tokens:
            Math.ceil('You are terse.'.length / 4) +
            Math.ceil(text.length / 4) +
            Math.ceil(content.length / 4),
        },
      });
      // The same question gets the same answer; content given as text parts reads the same.
      const again = await json(
        await platform.call('/v1/chat/completions', {
          method: 'POST',
          body: JSON.stringify({
            model: 'demo-small',
            messages: [{ role: 'user', content: [{ type: 'text', text }] }],
          }),
        }),
      );
      expect((again.body.choices as Array<{ message: { content: string } }>)[0]?.message.content).toBe(
        content,
      );
      expect(platform.printed).toEqual([
        'model demo-small request 1: 200',
        'model demo-small request 2: 200',
      ]);
    });
  });

  it('Given --fail-rate 0.25, Then requests 4 and 8 are answered 429 with Retry-After: 1 and an OpenAI error, the others 200', async () => {
    await withPlatform({ failRate: 0.25 }, async (platform) => {
      const statuses: number[] = [];
      for (let n = 1; n <= 8; n++) {
        const response = await chat(platform, `question ${n}`);
        statuses.push(response.status);
        if (response.status === 429) {
          expect(response.headers.get('retry-after')).toBe('1');
          expect(await response.json()).toEqual({
            error: {
              message: `Rate limit reached for demo-small (scripted: request ${n}); retry after 1 s`,
              type: 'rate_limit_error',
              param: null,
              code: 'rate_limit_exceeded',
            },
          });
        } else {
          await response.body?.cancel();
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200, 429]);
      expect(platform.received().model).toMatchObject({ completed: 6, throttled: 2 });
    });
  });

  it('Given --fail-rate 1, Then every request is refused; given 0, none', async () => {
    await withPlatform({ failRate: 1 }, async (platform) => {
      for (let n = 0; n < 3; n++) expect((await chat(platform, 'q')).status).toBe(429);
    });
    await withPlatform({ failRate: 0 }, async (platform) => {
      for (let n = 0; n < 3; n++) expect((await chat(platform, 'q')).status).toBe(200);
    });
  });

  it('Given a latency of 300 ms and 4 requests at once, Then they wait side by side: all 4 arrive before any is answered, and /health is not held up', async () => {
    await withPlatform({ modelLatencyMs: 300 }, async (platform) => {
      const order: string[] = [];
      const calls = [1, 2, 3, 4].map((n) =>
        chat(platform, `question ${n}`).then(async (response) => {
          order.push(`model ${response.status}`);
          await response.body?.cancel();
        }),
      );
      const health = fetch(`${platform.url}/health`).then(async (response) => {
        order.push(`health ${response.status}`);
        await response.body?.cancel();
      });
      await Promise.all([...calls, health]);
      const model = platform.received().model.calls;
      expect(model).toHaveLength(4);
      const lastArrival = Math.max(...model.map((call) => call.order.received));
      const firstAnswer = Math.min(...model.map((call) => call.order.answered));
      expect(lastArrival).toBeLessThan(firstAnswer);
      expect(order[0]).toBe('health 200');
    });
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'q' }] }, 'model', 'model must be a non-empty string'],
    [{ model: 'm', messages: [] }, 'messages', 'messages must be a non-empty array'],
    [
      { model: 'm', messages: [{ role: 'robot', content: 'q' }] },
      'messages[0].role',
      'messages[0].role must be one of',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      'messages[0].content must be a string',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'q' }], max_tokens: 0 },
      'max_tokens',
      'max_tokens must be a whole number from 1',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'q' }], temperature: 3 },
      'temperature',
      'temperature must be a number from 0 to 2',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'q' }], top_p: -0.1 },
      'top_p',
      'top_p must be a number from 0 to 1',
    ],
  ])('Given %j, Then 400 in OpenAI shape naming %s, and no call is counted', async (body, param, message) => {
    await withPlatform({ failRate: 1 }, async (platform) => {
      const response = await platform.call('/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          message: expect.stringContaining(message),
          type: 'invalid_request_error',
          param,
          code: null,
        },
      });
      expect(platform.received().model.calls).toEqual([]);
    });
  });

  it('Given no API key or a wrong one, Then 401 in OpenAI shape', async () => {
    await withPlatform({}, async (platform) => {
      for (const authorization of ['', `Bearer ${TOKEN}x`]) {
        const response = await platform.call('/v1/chat/completions', {
          method: 'POST',
          headers: { authorization },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
        });
        expect(response.status).toBe(401);
        const body = (await response.json()) as { error: { type: string; code: string } };
        expect(body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      }
      expect(platform.received().model.calls).toEqual([]);
    });
  });
});
