/**
 * An architecture rule checked on the source text: a zod schema at module scope is built lazily
 * (`z.lazy(() => …)`), so importing a module builds no schema and a function builds, at their first use,
 * only the schemas it parses with. Built at import, the API's schemas (every kind's config, the job, the
 * queries, the answers) were about a tenth of its cold start on Node 20 (bench/README-coldstart.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT as ROOT, sourceFiles } from '../../support/source-files.ts';

/**
 * A module-scope declaration whose value is built with zod or a field factory (`…Field(…)`,
 * `…Schema(…)`), not wrapped in `z.lazy`: the statement starts the line (module scope is not indented).
 */
const EAGER = /^(?:export )?const \w+ = (?!z\.lazy\()(?:z\b|\w+(?:Field|Schema)\()/;

function eagerSchemas(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (EAGER.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
      });
  }
  return found;
}

describe('schemas at module scope', () => {
  it('Given the runtime code (shared/, functions/), Then every module-scope schema is z.lazy', () => {
    expect(eagerSchemas([...sourceFiles('shared'), ...sourceFiles('functions')])).toEqual([]);
  });

  it('Given lines of each form, Then the rule tells an eager schema from a lazy one and from others', () => {
    const flagged = (line: string) => EAGER.test(line);
    expect(flagged('export const nameSchema = z.string().check(z.minLength(1));')).toBe(true);
    expect(flagged('const positive = z')).toBe(true);
    expect(flagged('const metadata = metadataField({ maxDepth: 16, maxBytes: 4096 });')).toBe(true);
    expect(flagged('export const nameSchema = z.lazy(() => z.string());')).toBe(false);
    expect(flagged('  const inner = z.string();')).toBe(false);
    expect(flagged('const limit = (max: number) => z.int().check(z.maximum(max));')).toBe(false);
    expect(flagged('export const MAX_TAGS = 50;')).toBe(false);
  });
});
