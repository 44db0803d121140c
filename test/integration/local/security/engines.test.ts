/**
 * The stack guards only the engine it runs in its own process (dynalite). An engine it cannot guard
 * (an external one here; DynamoDB Local likewise) is used as before, and the stack says so when it starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../../local/runtime.ts';
import { captureLogs } from '../../../support/logs.ts';

let external: Server;
let endpoint: string;
let dataDir: string;

beforeAll(async () => {
  external = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => external.listen(0, '127.0.0.1', resolve));
  const address = external.address();
  endpoint = `http://127.0.0.1:${address !== null && typeof address !== 'string' ? address.port : 0}`;
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-engines-'));
});

afterAll(async () => {
  await new Promise((resolve) => external.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

describe('an engine the stack does not guard', () => {
  it('Given an external DynamoDB engine, When the stack starts, Then it warns that the engine is not guarded', async () => {
    const { log, entries } = captureLogs('warn');

    const stack = await startLocalStack({ dataDir, dynamodb: { kind: 'external', endpoint }, log });
    await stack.close();

    expect(entries).toContainEqual({
      time: expect.any(String),
      level: 'warn',
      component: 'local',
      message: 'this DynamoDB engine is not guarded by the stack',
      engine: 'external',
      endpoint,
      detail: 'an external engine answers whoever its owner lets in',
    });
  });
});
