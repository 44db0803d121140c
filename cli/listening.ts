/** What the CLI's own listeners (`webhook-receiver`, `demo-platform`) share: a busy port, and how they stop. */
import { UsageError } from './usage-error.ts';

/** A listener's start-up error as the CLI reports it: a busy port is the user's to change. */
export function listenError(error: unknown, port: number): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
    ? new UsageError(`port ${port} is already in use on 127.0.0.1; choose another with --port`)
    : error;
}

/** Resolves when the process is asked to stop: Ctrl-C, or SIGTERM from a supervisor. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
