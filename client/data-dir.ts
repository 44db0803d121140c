/**
 * Where a running local stack is found, the way git finds `.git`: the nearest
 * `.tickwork/endpoints.json` at or above a directory (the stack writes the file when it is ready and
 * removes it when it stops), so a client started anywhere in a project finds the project's stack.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The data directory's name inside a project. */
export const DATA_DIR_NAME = '.tickwork';
export const ENDPOINTS_FILE_NAME = 'endpoints.json';

/** `start` and every directory above it, nearest first. */
export function upwards(start: string): string[] {
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
