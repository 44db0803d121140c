/**
 * A kind's function carries its own kind and nothing of the others: its bundle does not load the kind
 * registry (which imports every kind's definition) nor another kind's folder. Cold starts stay the size
 * of one kind, however many kinds are registered. The sweeper validates no job: it carries no kind.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { jobFunctionDefinitions, sweeperFunction } from '../../../shared/functions.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function bundledSources(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Only our own modules matter here.
    packages: 'external',
  });
  return Object.keys(result.metafile.inputs);
}

describe.each(jobFunctionDefinitions.map((definition) => [definition.id, definition] as const))(
  'the %s function',
  (id, definition) => {
    it('Given its bundle, Then it holds its own kind, not the registry nor another kind', async () => {
      const sources = await bundledSources(definition.entry);
      expect(sources).toContain(`shared/kinds/${id}/work.ts`);
      expect(sources).not.toContain('shared/kinds/registry.ts');
      const otherKinds = sources.filter(
        (source) => /^shared\/kinds\/[^/]+\//.test(source) && !source.startsWith(`shared/kinds/${id}/`),
      );
      expect(otherKinds).toEqual([]);
    });
  },
);

describe('the sweeper function', () => {
  it('Given its bundle, Then it holds no kind registry and no kind folder (it validates no job)', async () => {
    const sources = await bundledSources(sweeperFunction.entry);
    expect(sources).toContain('shared/health/sweep.ts');
    expect(sources).not.toContain('shared/kinds/registry.ts');
    expect(sources.filter((source) => /^shared\/kinds\/[^/]+\//.test(source))).toEqual([]);
  });
});
