/**
 * Error names survive the stack's bundling: the prompt function, bundled with the stack's own options
 * (FUNCTION_BUNDLING: minified ESM, keepNames, the require banner), runs in the local stack in place of its
 * source module, and a failed delivery is recorded as `WebhookRejectedError`, not as a minifier's `e`.
 * Only public surfaces are used (the API over HTTP, startLocalStack's `functions`, functionName), so the
 * test does not depend on how the prompt kind or the local runtime are built inside.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../infra/esbuild-options.ts';
import { FUNCTION_BUNDLING } from '../../../infra/tickwork-function.ts';
import { functionDefinitions, functionName } from '../../../shared/functions.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROMPT_FUNCTION = functionName('local', 'prompt');

describe('the prompt function bundled as the stack bundles it', () => {
  let outDir: string;
  let bundlePath: string;
  let bundle: string;
  let api: ApiHarness;
  let receiver: Receiver;

  beforeAll(async () => {
    // Given the prompt handler bundled with the stack's options into a temp directory
    outDir = await mkdtemp(join(tmpdir(), 'tickwork-bundle-'));
    const entry = join(ROOT, functionDefinitions.prompt.entry);
    const options = esbuildOptions(FUNCTION_BUNDLING, { entry }, outDir, ROOT);
    await build(options);
    bundlePath = options.outfile;
    bundle = await readFile(bundlePath, 'utf8');

    // And a local stack whose prompt function is that bundle, with no async retries of a failed run
    const { timeoutSeconds, memorySize } = functionDefinitions.prompt;
    api = await startApiHarness({
      asyncRetryDelaysMs: [],
      functions: { [PROMPT_FUNCTION]: { entry: bundlePath, timeoutSeconds, memorySize } },
    });
    await api.writeSecrets({ 'bundle-hook': 'bundle-signing-secret' });
    // And a webhook that answers every delivery with a 500
    receiver = await startReceiver();
    receiver.answer = { status: 500, body: 'receiver down' };
  });

  afterAll(async () => {
    await receiver?.close();
    await api?.close();
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  });

  it('Then the bundle is minified: its classes renamed and its code on few, long lines', () => {
    // Without the rename the recorded name could come from the class declaration itself, and this test
    // would prove nothing about a minified bundle.
    expect(bundle).toContain('WebhookRejectedError');
    expect(bundle).not.toMatch(/\bclass WebhookRejectedError\b/);
    const lines = bundle.split('\n').length;
    expect(bundle.length / lines).toBeGreaterThan(1_000);
  });

  it('When a manual run is rejected by the webhook, Then the run records WebhookRejectedError and the status', async () => {
    // Given the local runtime resolves the prompt function to the bundle, not to functions/prompt/handler.ts
    expect(api.stack.runtime.resolve(PROMPT_FUNCTION).modulePath).toBe(bundlePath);
    const created = await api.call('POST', '/jobs', {
      body: promptJob('bundled-prompt', {
        schedule: 'rate(1 day)',
        config: {
          prompt: 'Summarize the overnight alerts',
          target: { type: 'webhook', url: receiver.url, signingSecret: 'bundle-hook' },
        },
      }),
    });
    expect(created.status, created.text).toBe(201);

    // When
    const started = await api.call('POST', '/jobs/bundled-prompt/runs');
    expect(started.status, started.text).toBe(202);
    const run = await until(
      () => api.call('GET', `/runs/${started.json.runId}`),
      (answer) => !['pending', 'running'].includes(answer.json.status),
      20_000,
    );

    // Then the bundled function delivered once and recorded the failure under the error's own name
    expect(receiver.received).toHaveLength(1);
    expect(run.json.status).toBe('failed');
    expect(run.json.error.type).toBe('WebhookRejectedError');
    expect(run.json.error.message).toContain('HTTP 500');
  });
});
