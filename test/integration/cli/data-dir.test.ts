/**
 * Finding the local stack's data directory the way git finds `.git`, on real directory trees: the
 * running stack's `.tickwork/endpoints.json` from the current directory up, and the project's
 * `.tickwork` that `tickwork local` uses when no data directory is named.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStackDataDir, TargetError } from '../../../cli/api-client.ts';
import { findRunningStackDataDir, localDataDir, projectDataDir } from '../../../cli/data-dir.ts';

let root: string;

/**
 * root/
 *   running/            package.json, .tickwork/endpoints.json (a stack is up)
 *     app/src/          (nested, nothing of its own)
 *     nested-package/   package.json (a package inside the project), sub/
 *   stopped/            .tickwork/ without endpoints.json (a stack that ran and stopped), no package.json
 *     sub/
 *   bare/deep/          neither
 */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickwork-data-dir-'));
  const dirs = [
    'running/.tickwork',
    'running/app/src',
    'running/nested-package/sub',
    'stopped/.tickwork',
    'stopped/sub',
    'bare/deep',
  ];
  for (const dir of dirs) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'running', 'package.json'), '{}');
  await writeFile(join(root, 'running', 'nested-package', 'package.json'), '{}');
  await writeFile(join(root, 'running', '.tickwork', 'endpoints.json'), '{}');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the data directory, from the current directory up', () => {
  it.each<[string, string, string | undefined]>([
    ['the project root', 'running', 'running/.tickwork'],
    ['a nested directory', 'running/app/src', 'running/.tickwork'],
    ['a package inside the project', 'running/nested-package/sub', 'running/.tickwork'],
    ['a stopped stack', 'stopped/sub', undefined],
    ['nowhere near a stack', 'bare/deep', undefined],
  ])('Given %s, When the running stack is looked for, Then %s', (_, from, found) => {
    expect(findRunningStackDataDir(join(root, from))).toBe(
      found === undefined ? undefined : join(root, found),
    );
  });

  it.each<[string, string, string]>([
    ['the project root', 'running', 'running/.tickwork'],
    ['a nested directory of a project', 'running/app/src', 'running/.tickwork'],
    [
      'a package inside the project: its own',
      'running/nested-package/sub',
      'running/nested-package/.tickwork',
    ],
    ['below an existing .tickwork without package.json', 'stopped/sub', 'stopped/.tickwork'],
    ['neither above: the current directory', 'bare/deep', 'bare/deep/.tickwork'],
  ])('Given %s, When tickwork local picks its data directory, Then %s', (_, from, chosen) => {
    expect(projectDataDir(join(root, from))).toBe(join(root, chosen));
  });

  it.each<[string, string, string]>([
    ['a running stack above', 'running/nested-package/sub', 'running/.tickwork'],
    ['no running stack: the project one', 'stopped/sub', 'stopped/.tickwork'],
  ])('Given %s, When dead-letters or webhook-receiver pick theirs, Then %s', (_, from, chosen) => {
    expect(localDataDir(join(root, from))).toBe(join(root, chosen));
  });

  it('Given a data directory named by flag or environment, When the client resolves it, Then it is used as named', () => {
    expect(localStackDataDir('/srv/elsewhere', join(root, 'running'))).toBe('/srv/elsewhere');
  });

  it('Given no stack from here up, When the client resolves it, Then the error names where it looked and what to do', () => {
    const from = join(root, 'bare', 'deep');

    expect(() => localStackDataDir(undefined, from)).toThrow(
      new TargetError(
        `no local stack found: no .tickwork/endpoints.json in ${from} or any directory above it; start one with \`npm start\` in the project, or pass --url (or --data-dir)`,
      ),
    );
  });
});
