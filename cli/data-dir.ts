/**
 * Where the local stack keeps its data, found the way git finds `.git`: from the current directory
 * up. `tickwork local` and the client commands agree on it, so a stack started anywhere in a project
 * is found from any subdirectory of it.
 *
 * - A running stack is found by the nearest `.tickwork/endpoints.json` at or above the directory
 *   (the stack writes the file when it is ready and removes it when it stops).
 * - `tickwork local` without `--data-dir` uses the project's `.tickwork`: the nearest directory at or
 *   above that holds a `.tickwork` directory or a `package.json`, else the current directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The data directory's name inside a project. */
export const DATA_DIR_NAME = '.tickwork';
export const ENDPOINTS_FILE_NAME = 'endpoints.json';

/** `start` and every directory above it, nearest first. */
function upwards(start: string): string[] {
  const directories: string[] = [];
  for (let current = resolve(start); ; ) {
    directories.push(current);
    const parent = dirname(current);
    if (parent === current) return directories;
    current = parent;
  }
}

/** The data directory of the nearest running local stack at or above `start`, if any. */
export function findRunningStackDataDir(start: string): string | undefined {
  for (const directory of upwards(start)) {
    const dataDir = join(directory, DATA_DIR_NAME);
    if (existsSync(join(dataDir, ENDPOINTS_FILE_NAME))) return dataDir;
  }
  return undefined;
}

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
