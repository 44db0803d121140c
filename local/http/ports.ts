/**
 * Port probes for listeners that cannot report a taken port themselves in time: a probe listens on
 * the port and closes again at once.
 */
import { createServer } from 'node:net';
import { LOOPBACK } from './server.ts';

/** Resolves when `port` can be listened on; rejects with the listen error itself (e.g. EADDRINUSE). */
export function assertPortFree(port: number, host = LOOPBACK): Promise<void> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Whether `port` is taken on `host`; other listen errors (EACCES, ...) are thrown. */
export async function portInUse(port: number, host = LOOPBACK): Promise<boolean> {
  try {
    await assertPortFree(port, host);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
    throw error;
  }
}

/** A port that was free a moment ago, for a listener that must be told its port up front. */
export function freePort(host = LOOPBACK): Promise<number> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = address !== null && typeof address !== 'string' ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
