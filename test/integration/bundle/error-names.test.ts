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
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUNDLING } from '../../../infra/tickwork-function.ts';
import { functionDefinitions, functionName } from '../../../shared/functions.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROMPT_FUNCTION = functionName('local', 'prompt');

/**
 * The esbuild options NodejsFunction derives from `bundling` (aws-lambda-nodejs' buildEsbuildArgs). An
 * option this does not translate fails the test, so the bundle here can never silently differ from the stack's.
 */
function esbuildOptions(bundling: Readonly<BundlingOptions>, entry: string, outDir: string): BuildOptions {
  const translated = [
    'format',
    'target',
    'minify',
    'keepNames',
    'sourceMap',
    'banner',
    'mainFields',
    'bundleAwsSDK',
  ];
  const untranslated = Object.keys(bundling).filter((option) => !translated.includes(option));
  if (untranslated.length > 0) {
    throw new Error(`FUNCTION_BUNDLING sets ${untranslated.join(', ')}: translate it to esbuild here first`);
  }
  // With the SDK external the bundle would import @aws-sdk/* at run time, which a temp directory cannot resolve.
  if (bundling.bundleAwsSDK !== true)
    throw new Error('this test expects the SDK bundled (bundleAwsSDK: true)');
  return {
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    // node24, as in the stack: esbuild's target only decides which syntax to lower, and the code uses none
    // that Node 20 (this machine's) lacks, so the bundle runs here unchanged. Should it one day, the load
    // fails with a SyntaxError in the run's error, and the target to use here would be node20.
    ...(bundling.target === undefined ? {} : { target: bundling.target }),
    minify: bundling.minify ?? false,
    keepNames: bundling.keepNames ?? false,
    sourcemap: bundling.sourceMap ?? false,
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: bundling.mainFields }),
    // NodejsFunction names an ESM bundle index.mjs.
    outfile: join(outDir, bundling.format === 'esm' ? 'index.mjs' : 'index.js'),
    logLevel: 'silent',
  };
}

describe('the prompt function bundled as the stack bundles it', () => {
  let outDir: string;
  let bundlePath: string;
  let bundle: string;
  let api: ApiHarness;
  let receiver: Receiver;

  beforeAll(async () => {
    // Given the prompt handler bundled with the stack's options into a temp directory
    outDir = await mkdtemp(join(tmpdir(), 'tickwork-bundle-'));
    const options = esbuildOptions(FUNCTION_BUNDLING, functionDefinitions.prompt.entry, outDir);
    await build(options);
    bundlePath = options.outfile as string;
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
