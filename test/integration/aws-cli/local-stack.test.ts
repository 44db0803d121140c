/**
 * The AWS CLI against a whole local stack, given the credentials of endpoints.json the way the README
 * shows (environment variables): botocore signs differently from the SDK (no x-amz-content-sha256, no
 * content-type on an Invoke), and the guarded listeners must accept it all the same.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { OTHER_CREDENTIALS } from '../../support/sigv4.ts';

const run = promisify(execFile);

let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-aws-cli-stack-'));
  stack = await startLocalStack({ dataDir, asyncRetryDelaysMs: [], shutdownGraceMs: 2_000 });
});

afterAll(async () => {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `aws <args>` with the credentials of endpoints.json, read from the file as a user would. */
async function aws(args: string[], credentials?: { accessKeyId: string; secretAccessKey: string }) {
  const fromFile = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')).credentials;
  const used = credentials ?? fromFile;
  try {
    const { stdout, stderr } = await run('aws', [...args, '--output', 'json'], {
      env: {
        ...process.env,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ACCESS_KEY_ID: used.accessKeyId,
        AWS_SECRET_ACCESS_KEY: used.secretAccessKey,
        AWS_DEFAULT_REGION: fromFile.region,
      },
    });
    return { code: 0, stdout, stderr } satisfies CliResult;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: failed.code ?? -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    } satisfies CliResult;
  }
}

describe('aws against the local stack with the credentials of endpoints.json', () => {
  it('scans the jobs table of dynalite', async () => {
    const result = await aws([
      '--endpoint-url',
      stack.endpoints.dynamodbEndpoint,
      'dynamodb',
      'scan',
      '--table-name',
      'tickwork-local-jobs',
    ]);

    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ Items: [], Count: 0 });
  });

  it('invokes the API function through the Invoke endpoint (no content-type, as botocore sends it)', async () => {
    const event = JSON.stringify({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/status',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/status' } },
      isBase64Encoded: false,
    });
    const out = join(dataDir, 'invoke-out.json');

    const result = await aws([
      '--endpoint-url',
      stack.endpoints.lambdaEndpoint,
      'lambda',
      'invoke',
      '--function-name',
      'tickwork-local-api',
      // AWS CLI v1 (the one installed here) takes the payload as raw text; v2 needs --cli-binary-format raw-in-base64-out.
      '--payload',
      event,
      out,
    ]);

    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ StatusCode: 200 });
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ statusCode: 200 });
  });

  it('lists the schedules of the stack', async () => {
    const result = await aws([
      '--endpoint-url',
      stack.endpoints.schedulerEndpoint,
      'scheduler',
      'list-schedules',
      '--group-name',
      stack.endpoints.scheduleGroups.prompt,
    ]);

    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ Schedules: [] });
  });

  it('Given other credentials, Then the DynamoDB scan names UnrecognizedClientException', async () => {
    const result = await aws(
      [
        '--endpoint-url',
        stack.endpoints.dynamodbEndpoint,
        'dynamodb',
        'scan',
        '--table-name',
        'tickwork-local-jobs',
      ],
      OTHER_CREDENTIALS,
    );

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('(UnrecognizedClientException)');
  });
});
