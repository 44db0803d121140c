/**
 * What Powertools Tracer would add to a job function's cold start (issue 13 §4: "Tracer only if its
 * cold-start cost measures acceptable"). Tracer is not a dependency; this probe measures it from a
 * directory where it is installed:
 *
 *   mkdir /tmp/tracer && cd /tmp/tracer && npm init -y && npm i --save-exact @aws-lambda-powertools/tracer@2.36.0
 *   TRACER_NODE_PATH=/tmp/tracer/node_modules npx tsx bench/coldstart-tracer.ts
 *
 * The prompt function's handler is bundled twice with the stack's options (FUNCTION_BUNDLING): as it is,
 * and with a Tracer constructed at module scope and its AWS SDK clients captured (what tracing them
 * needs). Both load with the same Lambda-like environment, alternating, as bench/coldstart.bench.ts does;
 * the ratio is with / without. Figures: bench/README-coldstart.md.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/esbuild-options.ts';
import { FUNCTION_BUNDLING } from '../infra/tickwork-function.ts';
import { bundleSize } from './coldstart/baseline.ts';
import {
  compare,
  type LoadTarget,
  lambdaEnvironment,
  median,
  nodeRuntimes,
  writeLoader,
} from './coldstart/measure.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROUNDS = 20;
const WARMUPS = 3;

const tracerPath = process.env.TRACER_NODE_PATH;
if (tracerPath === undefined) throw new Error('TRACER_NODE_PATH must name a node_modules holding the tracer');

const handler = join(ROOT, 'functions/prompt/handler.ts');
const sources = {
  without: `export { handler } from ${JSON.stringify(handler)};\n`,
  with: [
    `import { Tracer } from '@aws-lambda-powertools/tracer';`,
    `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`,
    `const tracer = new Tracer({ serviceName: 'tickwork-bench' });`,
    `tracer.captureAWSv3Client(new DynamoDBClient({}));`,
    `export { handler } from ${JSON.stringify(handler)};`,
    '',
  ].join('\n'),
};

const environment = {
  name: 'tickwork-bench-prompt',
  memorySize: 256,
  environment: {
    NODE_OPTIONS: '--enable-source-maps',
    TICKWORK_STAGE: 'bench',
    TICKWORK_MODE: 'aws',
    TICKWORK_JOBS_TABLE: 'tickwork-bench-jobs',
    TICKWORK_RUNS_TABLE: 'tickwork-bench-runs',
    TICKWORK_JOB_FUNCTION_ARNS: JSON.stringify({
      prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-bench-prompt',
    }),
    POWERTOOLS_TRACE_ENABLED: 'true',
  },
};

const work = await mkdtemp(join(tmpdir(), 'tickwork-tracer-'));
try {
  const targets: Record<string, LoadTarget> = {};
  for (const [name, contents] of Object.entries(sources)) {
    const outDir = join(work, name);
    await mkdir(outDir);
    const options = esbuildOptions(
      FUNCTION_BUNDLING,
      { contents, resolveDir: ROOT, sourcefile: `${name}.mjs` },
      outDir,
      ROOT,
    );
    await build({ ...options, nodePaths: [tracerPath] });
    const size = bundleSize(options.outfile);
    console.log(
      `${name} tracer: ${(size.raw / 1024).toFixed(1)} KB raw, ${(size.gzip / 1024).toFixed(1)} KB gzip`,
    );
    targets[name] = {
      bundle: options.outfile,
      exportName: 'handler',
      env: lambdaEnvironment(environment, outDir),
    };
  }
  const loader = writeLoader(work);
  const { with: withTracer, without } = targets;
  if (withTracer === undefined || without === undefined) throw new Error('bundles missing');
  console.log('\n| node | with Tracer ms | without ms | ratio (median) | min–max |');
  console.log('|---|---:|---:|---:|---:|');
  for (const runtime of nodeRuntimes()) {
    const result = await compare(runtime.path, loader, withTracer, without, {
      rounds: ROUNDS,
      warmups: WARMUPS,
    });
    console.log(
      `| ${runtime.version} | ${median(result.functionMs).toFixed(0)} | ${median(result.baselineMs).toFixed(0)} | ` +
        `**${median(result.ratios).toFixed(2)}** | ${Math.min(...result.ratios).toFixed(2)}–${Math.max(...result.ratios).toFixed(2)} |`,
    );
  }
  console.log(`\n(load average at the end ${loadavg()[0]?.toFixed(1)})`);
} finally {
  await rm(work, { recursive: true, force: true });
}
