/**
 * Where the local stack keeps its data, found the way git finds `.git`: from the current directory
 * up. `tickwork local` and the client commands agree on it, so a stack started anywhere in a project
 * is found from any subdirectory of it.
 *
 * - A running stack is found by the nearest `.tickwork/endpoints.json` at or above the directory
 *   (client/data-dir.ts: the typed client finds it the same way).
 * - `tickwork local` without `--data-dir` uses the project's `.tickwork`: the nearest directory at or
 *   above that holds a `.tickwork` directory or a `package.json`, else the current directory.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATA_DIR_NAME, findRunningStackDataDir, upwards } from '../client/data-dir.ts';

export { DATA_DIR_NAME, ENDPOINTS_FILE_NAME, findRunningStackDataDir } from '../client/data-dir.ts';
/** The project's data directory for `start`: what `tickwork local` uses when not told otherwise. */
export function projectDataDir(start: string): string {
  for (const directory of upwards(start)) {
    if (existsSync(join(directory, DATA_DIR_NAME)) || existsSync(join(directory, 'package.json'))) {
      return join(directory, DATA_DIR_NAME);
    }
  }
  return join(resolve(start), DATA_DIR_NAME);
}

/**
 * For commands that read the data directory whether or not the stack runs (`dead-letters`,
 * `webhook-receiver`): a running stack's, else the project's.
 */
export function localDataDir(start: string): string {
  return findRunningStackDataDir(start) ?? projectDataDir(start);
}
