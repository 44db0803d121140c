/**
 * The README's table of kinds is the registry's: a kind added, renamed or changed in the registry fails
 * here until the docs say the same. The failure shows the table to paste.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kinds } from '../../../shared/kinds/registry.ts';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

function tableFromRegistry(): string {
  return [
    '| kind | what a run does | function timeout | capabilities |',
    '|---|---|---|---|',
    ...kinds.map(
      (kind) =>
        `| [\`${kind.id}\`](#${kind.id}) | ${kind.summary} | ${kind.function.timeoutSeconds} s | ${kind.capabilities.join(', ')} |`,
    ),
  ].join('\n');
}

describe('the README', () => {
  const readme = readFileSync(README, 'utf8');

  it('Given the kind registry, Then the kinds table between the markers lists exactly its kinds', () => {
    const table = /<!-- kinds:start -->\n([\s\S]*?)\n<!-- kinds:end -->/.exec(readme)?.[1];
    expect(table).toBe(tableFromRegistry());
  });

  it.each(kinds.map((kind) => kind.id))(
    'Given the %s kind, Then it has its own section with its config and a worked example',
    (id) => {
      const section = new RegExp(`\\n### ${id}\\n([\\s\\S]*?)(\\n## |\\n### )`).exec(readme)?.[1] ?? '';
      expect(section).toContain('| config field |');
      expect(section).toContain('```sh');
    },
  );
});
