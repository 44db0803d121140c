/**
 * A kind is declared in one place. Everything that lists kinds (the kind union, the function catalog,
 * the function ARNs, the stack's functions and grants, the local runtime's environment, the API's and
 * the CLI's choices) is derived from the registry, so the kind's id and its definition appear only in
 * its own folder, its registry line and its handler file. A new kind that needs a change anywhere else
 * fails here and says where. One exception: a kind may have a CLI command of its own, named after it
 * (`cli/commands/<kind>.ts`, e.g. `tickwork sync status`), which names its kind as the command's name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jobFunctionDefinitions } from '../../../shared/functions.ts';
import { kinds } from '../../../shared/kinds/registry.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUNTIME_AND_INFRA = ['shared', 'functions', 'local', 'cli', 'infra', 'cdk', 'bin'];

function sources(): { path: string; code: string }[] {
  const found: { path: string; code: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = join(dir, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (/\.[tj]s$/.test(entry.name)) {
        found.push({ path: relative(ROOT, child), code: withoutComments(readFileSync(child, 'utf8')) });
      }
    }
  };
  for (const folder of RUNTIME_AND_INFRA) walk(join(ROOT, folder));
  return found;
}

/** Comments may name a kind as an example; only code counts. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const all = sources();

describe.each(kinds.map((kind) => [kind.id, kind] as const))('the %s kind', (id, kind) => {
  const ownFolder = `shared/kinds/${id}/`;
  const handler = `functions/${id}/handler.ts`;

  it('Given its folder, Then it holds the light definition and the work, and its function has a handler file', () => {
    expect(existsSync(join(ROOT, ownFolder, 'definition.ts'))).toBe(true);
    expect(existsSync(join(ROOT, ownFolder, 'work.ts'))).toBe(true);
    expect(existsSync(join(ROOT, handler))).toBe(true);
    expect(jobFunctionDefinitions.find((definition) => definition.jobKind === id)?.entry).toBe(handler);
  });

  it('Given every runtime and infra source, Then its id is a literal only inside its own folder', () => {
    const literal = new RegExp(`['"\`]${id}['"\`]`);
    const ownCommand = `cli/commands/${id}.ts`;
    const outside = all.filter(
      ({ path, code }) => !path.startsWith(ownFolder) && path !== ownCommand && literal.test(code),
    );
    expect(outside.map(({ path }) => path)).toEqual([]);
  });

  it('Given every runtime and infra source, Then its definition is used only by the registry and its handler', () => {
    const identifier = new RegExp(`\\b${id}Kind\\b`);
    const users = all
      .filter(({ path, code }) => !path.startsWith(ownFolder) && identifier.test(code))
      .map(({ path }) => path)
      .sort();
    expect(users).toEqual([handler, 'shared/kinds/registry.ts'].sort());
  });

  it('Given its handler, Then it is one call of the shared composition root with its definition and work', () => {
    const code = withoutComments(readFileSync(join(ROOT, handler), 'utf8'));
    expect(code).toMatch(new RegExp(`export const handler = createJobHandler\\(${id}Kind, `));
    const statements = code.split(';').filter((statement) => statement.trim() !== '');
    // Imports (its definition, its work, the shared root, its capabilities' providers) and the one call.
    expect(statements).toHaveLength(4 + kind.capabilities.length);
  });
});
