/**
 * The calibration side of the demo platform: the responses flow (prompts of a calibration run, answers
 * taken once per responseId, a new run once every prompt is answered) and the registry flow's prompts.
 */
import { describe, expect, it } from 'vitest';
import { json, type Platform, withPlatform } from './support.ts';

interface Pending {
  calibrationRunId: string;
  prompts: Array<{ promptId: string; text: string }>;
}

const MODEL = { name: 'demo-small', version: '2026-03', environment: 'dev', purpose: 'calibration' };

function answer(promptId: string, responseId = `resp-${promptId}`) {
  return { promptId, responseId, text: `answer to ${promptId}`, usage: { inputTokens: 12, outputTokens: 5 } };
}

async function pending(platform: Platform): Promise<Pending> {
  const { status, body } = await json(await platform.call('/calibration/prompts'));
  expect(status).toBe(200);
  return body as unknown as Pending;
}

function submit(platform: Platform, body: unknown) {
  return platform.call('/calibration/responses', { method: 'POST', body: JSON.stringify(body) });
}

describe('the responses flow', () => {
  it('Given --prompts 3, When prompts are answered in two submissions, Then each answered prompt leaves the list, and a new run starts once all are answered', async () => {
    await withPlatform({ prompts: 3 }, async (platform) => {
      const first = await pending(platform);
      expect(first.calibrationRunId).toBe('calrun-0001');
      expect(first.prompts.map((prompt) => prompt.promptId)).toEqual([
        'calrun-0001-p1',
        'calrun-0001-p2',
        'calrun-0001-p3',
      ]);
      expect(first.prompts[0]?.text).toContain('calibration prompt 1');

      const one = await json(
        await submit(platform, {
          calibrationRunId: 'calrun-0001',
          model: MODEL,
          responses: [answer('calrun-0001-p2')],
        }),
      );
      expect(one).toEqual({ status: 200, body: { accepted: 1, duplicates: 0 } });
      const rest = await pending(platform);
      expect(rest.calibrationRunId).toBe('calrun-0001');
      expect(rest.prompts.map((prompt) => prompt.promptId)).toEqual(['calrun-0001-p1', 'calrun-0001-p3']);

      const two = await json(
        await submit(platform, {
          calibrationRunId: 'calrun-0001',
          model: MODEL,
          responses: [answer('calrun-0001-p1'), answer('calrun-0001-p3')],
        }),
      );
      expect(two.body).toEqual({ accepted: 2, duplicates: 0 });
      const next = await pending(platform);
      expect(next.calibrationRunId).toBe('calrun-0002');
      expect(next.prompts).toHaveLength(3);
      expect(platform.printed).toContain(
        'response calrun-0001 calrun-0001-p2 responseId=resp-calrun-0001-p2 tokens=12/5: "answer to calrun-0001-p2"',
      );
      expect(platform.received().calibration.accepted.map((r) => r.promptId)).toEqual([
        'calrun-0001-p2',
        'calrun-0001-p1',
        'calrun-0001-p3',
      ]);
    });
  });

  it('Given a submission sent twice (a retried run), Then the second answers its responses as duplicates and counts nothing again', async () => {
    await withPlatform({ prompts: 2 }, async (platform) => {
      await pending(platform);
      const body = { calibrationRunId: 'calrun-0001', model: MODEL, responses: [answer('calrun-0001-p1')] };
      expect((await json(await submit(platform, body))).body).toEqual({ accepted: 1, duplicates: 0 });
      expect((await json(await submit(platform, body))).body).toEqual({ accepted: 0, duplicates: 1 });
      const mixed = { ...body, responses: [answer('calrun-0001-p1'), answer('calrun-0001-p2')] };
      expect((await json(await submit(platform, mixed))).body).toEqual({ accepted: 1, duplicates: 1 });
      expect(platform.received().calibration.accepted).toHaveLength(2);
      expect(platform.received().calibration.duplicates).toBe(2);
      const summary = await json(await platform.call('/demo/received'));
      expect(summary.body.calibration).toMatchObject({ runs: 1, accepted: 2, duplicates: 2 });
    });
  });

  it('Given a responseId with a terminal escape sequence, Then the printed line carries no control character', async () => {
    await withPlatform({ prompts: 1 }, async (platform) => {
      await pending(platform);
      const body = {
        calibrationRunId: 'calrun-0001',
        model: MODEL,
        responses: [answer('calrun-0001-p1', 'r\u001b[2J')],
      };
      expect((await json(await submit(platform, body))).body).toEqual({ accepted: 1, duplicates: 0 });
      expect(platform.printed).toEqual([
        'response calrun-0001 calrun-0001-p1 responseId=r\uFFFD[2J tokens=12/5: "answer to calrun-0001-p1"',
      ]);
    });
  });

  it.each([
    ['not an object', [1, 2], 'the body must be a JSON object'],
    ['no calibrationRunId', { model: MODEL, responses: [] }, 'calibrationRunId must be a string'],
    [
      'an unknown calibrationRunId',
      { calibrationRunId: 'calrun-9999', model: MODEL, responses: [] },
      'calibrationRunId "calrun-9999" is not a calibration run',
    ],
    ['no model', { calibrationRunId: 'calrun-0001', responses: [] }, 'model must be an object'],
    [
      'responses not an array',
      { calibrationRunId: 'calrun-0001', model: MODEL, responses: {} },
      'responses must be an array',
    ],
    [
      'an unknown promptId after a good response',
      {
        calibrationRunId: 'calrun-0001',
        model: MODEL,
        responses: [answer('calrun-0001-p1'), answer('calrun-0002-p1')],
      },
      'responses[1].promptId must name a prompt of the calibration run',
    ],
    [
      'an empty responseId',
      { calibrationRunId: 'calrun-0001', model: MODEL, responses: [answer('calrun-0001-p1', '')] },
      'responses[0].responseId must be a string of 1-256 characters',
    ],
    [
      'a text that is not a string',
      {
        calibrationRunId: 'calrun-0001',
        model: MODEL,
        responses: [{ ...answer('calrun-0001-p1'), text: 42 }],
      },
      'responses[0].text must be a string',
    ],
    [
      'negative tokens',
      {
        calibrationRunId: 'calrun-0001',
        model: MODEL,
        responses: [{ ...answer('calrun-0001-p1'), usage: { inputTokens: -1, outputTokens: 0 } }],
      },
      'responses[0].usage.inputTokens must be a whole number ≥ 0',
    ],
    [
      'no usage',
      {
        calibrationRunId: 'calrun-0001',
        model: MODEL,
        responses: [{ ...answer('calrun-0001-p1'), usage: undefined }],
      },
      'responses[0].usage must be an object',
    ],
  ])(
    'Given %s, Then 400 naming the field, and nothing of the submission is recorded',
    async (_case, body, message) => {
      await withPlatform({ prompts: 2 }, async (platform) => {
        await pending(platform);
        const { status, body: answered } = await json(await submit(platform, body));
        expect(status).toBe(400);
        expect(answered).toEqual({ error: expect.stringContaining(message) });
        expect(platform.received().calibration.accepted).toEqual([]);
        expect((await pending(platform)).prompts).toHaveLength(2);
      });
    },
  );

  it('Given a body that is not JSON, Then 400', async () => {
    await withPlatform({}, async (platform) => {
      const response = await platform.call('/calibration/responses', {
        method: 'POST',
        body: '{"calibrationRunId":',
      });
      expect(await json(response)).toEqual({ status: 400, body: { error: 'the body must be JSON' } });
    });
  });
});

describe('GET /registry/prompts', () => {
  it('Given a model and version, Then --prompts prompts, the same for the same pair and others for another version', async () => {
    await withPlatform({ prompts: 4 }, async (platform) => {
      const read = async (version: string) =>
        (await (
          await platform.call(`/registry/prompts?model=gpt-4o-mini&version=${version}`)
        ).text()) as string;
      const a = await read('2026-03');
      expect(await read('2026-03')).toBe(a);
      const { prompts } = JSON.parse(a) as { prompts: Array<{ promptId: string; text: string }> };
      expect(prompts).toHaveLength(4);
      expect(prompts[0]?.promptId).toMatch(/^reg-[0-9a-f]{8}-1$/);
      expect(prompts[0]?.text).toContain('registry prompt 1 for gpt-4o-mini 2026-03');
      const b = JSON.parse(await read('2026-04')) as { prompts: Array<{ promptId: string }> };
      expect(b.prompts[0]?.promptId).not.toBe(prompts[0]?.promptId);
    });
  });

  it.each([
    ['/registry/prompts?version=1', 'model is required'],
    ['/registry/prompts?model=m', 'version is required'],
    ['/registry/prompts?model=a%20b&version=1', 'model must be 1-256 printable characters'],
    ['/registry/prompts?model=m&version=1&version=2', 'version must be given once'],
  ])('Given %s, Then 400 naming the parameter', async (path, message) => {
    await withPlatform({}, async (platform) => {
      const { status, body } = await json(await platform.call(path));
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.stringContaining(message) });
    });
  });
});
