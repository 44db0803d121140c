/** The repository's own TypeScript sources, for architecture rules checked on the source text. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every `.ts` file under `dir` (relative to the repository root, and so are the answers), sorted. */
export function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else if (entry.name.endsWith('.ts')) {
        found.push(relative(REPOSITORY_ROOT, child));
      }
    }
  };
  walk(join(REPOSITORY_ROOT, dir));
  return found.sort();
}
