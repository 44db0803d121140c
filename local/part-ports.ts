/**
 * Which port each part of the local stack listens on. Ports the caller asked for are checked
 * together before anything starts, so one error names every taken port; a port of 0 means any and
 * never conflicts. A stack restarted in the same process on "any port" gets the ports it had before
 * when they are free: handler modules read their endpoints once at load and cannot be reloaded.
 */
import { portInUse } from './http/ports.ts';

export type LocalPart = 'api' | 'scheduler' | 'dynamodb' | 'lambda' | 'eventbridge';

/** The order parts are named in messages: the order of the CLI's options. */
const PART_ORDER: readonly LocalPart[] = ['api', 'scheduler', 'dynamodb', 'lambda', 'eventbridge'];

export interface PortConflict {
  readonly part: LocalPart;
  readonly port: number;
}

/** Ports another process (or part) already listens on, every one of them. */
export class PortsInUseError extends Error {
  readonly conflicts: readonly PortConflict[];

  constructor(conflicts: readonly PortConflict[], options?: ErrorOptions) {
    const list = conflicts.map(({ part, port }) => `${port} (${part})`).join(', ');
    super(
      conflicts.length === 1
        ? `port in use: ${list}; stop what holds it or pass another port`
        : `ports in use: ${list}; stop what holds them or pass other ports`,
      options,
    );
    this.name = 'PortsInUseError';
    this.conflicts = conflicts;
  }
}

/** The requested port of each part; undefined or 0 is any port. */
export type RequestedPorts = Readonly<Partial<Record<LocalPart, number | undefined>>>;

/** Throws PortsInUseError naming every requested port that is taken. */
export async function assertRequestedPortsFree(requested: RequestedPorts): Promise<void> {
  const named = PART_ORDER.flatMap((part) => {
    const port = requested[part];
    return port === undefined || port === 0 ? [] : [{ part, port }];
  });
  const taken = await Promise.all(
    named.map(async (conflict) => ((await portInUse(conflict.port)) ? conflict : undefined)),
  );
  const conflicts = taken.filter((conflict) => conflict !== undefined);
  if (conflicts.length > 0) throw new PortsInUseError(conflicts);
}

/** Ports a stack last used per data directory in this process. */
const lastPorts = new Map<string, Record<LocalPart, number>>();

export function rememberPorts(dataDir: string, ports: Record<LocalPart, number>): void {
  lastPorts.set(dataDir, ports);
}

/**
 * Runs `start` on the part's port: the requested one, else the one it had in an earlier stack on
 * this data directory, else any. A remembered port that is taken now falls back to any port; a
 * requested one that was taken after the check is reported as PortsInUseError.
 */
export async function startOnPort<T>(
  dataDir: string,
  part: LocalPart,
  requested: number | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  const port = requested === undefined || requested === 0 ? (lastPorts.get(dataDir)?.[part] ?? 0) : requested;
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (port !== 0 && (requested === undefined || requested === 0)) return start(0);
    throw new PortsInUseError([{ part, port }], { cause: error });
  }
}
