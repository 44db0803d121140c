/**
 * Starts a bench server in a child process (through tsx), waits for the line that says where it
 * listens, and keeps reading what it prints after: a server that prints only what makes a measure
 * invalid reports it here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of a process in ms, from /proc/<pid>/stat (fields 14 and 15, after the command's parenthesis). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

export interface ChildServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every line printed other than the listening one. */
  readonly lines: string[];
  /** The CPU the child has spent so far (user + system, ms), from /proc. */
  cpuMs(): number;
  close(): Promise<void>;
}

/**
 * `main` prints `<name> listening on http://…` once it listens and exits 0 on SIGTERM. `env` is added
 * to this process's environment (secrets go there, not in argv).
 */
export async function startChildServer(options: {
  readonly name: string;
  readonly main: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.main], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const prefix = `${options.name} listening on `;
  const lines: string[] = [];
  // Every line is read (a full pipe would stall the child).
  const output = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const url = await new Promise<string>((resolve, reject) => {
    output.on('line', (line) => {
      if (line.startsWith(prefix)) resolve(line.slice(prefix.length).trim());
      else lines.push(line);
    });
    exited.then((code) => reject(new Error(`the ${options.name} exited (code ${code}) before it listened`)));
  });
  return {
    url,
    lines,
    cpuMs: () => processCpuMs(child.pid),
    close: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the ${options.name} exited with code ${code}`);
    },
  };
}
