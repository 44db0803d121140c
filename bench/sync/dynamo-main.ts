/**
 * The sync bench's DynamoDB engine, dynalite, run as a CHILD process (bench/sync.bench.ts starts it
 * through child.ts). DynamoDB is a remote service: its work (parsing, condition checks, storage) is not
 * on the function's CPU, only the wait for its answer is. In the bench process, dynalite's server side
 * of every commit would be charged to the measured side, which the baseline (no checkpoints) never pays.
 */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
console.log(`sync bench dynalite listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
process.once('SIGTERM', () => {
  server.close((error) => process.exit(error ? 1 : 0));
});
