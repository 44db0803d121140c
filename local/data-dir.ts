/**
 * The data directory of a local stack: created if missing, checked to be a writable directory, and
 * locked (`<dataDir>/lock` holds the pid) so two stacks never run their engines on the same files.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The data directory cannot be used: it is a file, cannot be created, or is not writable. */
export class DataDirError extends Error {
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`data directory ${path} ${reason}`, options);
    this.name = 'DataDirError';
  }
}

/** Another local stack runs on the same data directory (its engines would corrupt each other's files). */
export class DataDirInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${path} is in use by another tickwork local (pid ${pid}); stop it or pass another data directory`,
    );
    this.name = 'DataDirInUseError';
  }
}

const LOCK_FILE = 'lock';

/** Data directories with a running stack in this process. */
const activeDataDirs = new Set<string>();

/** The absolute data directory, created if missing; DataDirError when it cannot be used. */
export async function prepareDataDir(path: string): Promise<string> {
  const dir = resolve(path);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new DataDirError(dir, 'is a file, not a directory');
  } catch (error) {
    if (error instanceof DataDirError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new DataDirError(dir, 'cannot be created: part of its path is a file', { cause: error });
    if (code !== 'ENOENT') throw new DataDirError(dir, `cannot be read (${code})`, { cause: error });
    try {
      await mkdir(dir, { recursive: true });
    } catch (mkdirError) {
      const reason =
        (mkdirError as NodeJS.ErrnoException).code === 'ENOTDIR'
          ? 'part of its path is a file'
          : String(mkdirError);
      throw new DataDirError(dir, `cannot be created: ${reason}`, { cause: mkdirError });
    }
  }
  try {
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(dir, 'is not writable', { cause: error });
  }
  return dir;
}

/** Takes `<dataDir>/lock` (holding our pid); a lock whose process is gone is taken over. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid })}\n`;
  if (activeDataDirs.has(dir)) throw new DataDirInUseError(dir, process.pid);
  try {
    await writeFile(path, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DataDirError(dir, 'is not writable', { cause: error });
    }
    const holder = await readLockPid(path);
    if (holder !== undefined && holder !== process.pid && isAlive(holder))
      throw new DataDirInUseError(dir, holder);
    await writeFile(path, content, { mode: 0o600 });
  }
  activeDataDirs.add(dir);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    activeDataDirs.delete(dir);
    await rm(path, { force: true });
  };
}

async function readLockPid(path: string): Promise<number | undefined> {
  try {
    const pid = (JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Written whole or not at all, readable by the owner only (it holds the token). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
