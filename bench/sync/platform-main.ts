/**
 * The sync bench's demo platform, run as a CHILD process by platform-process.ts: `startDemoPlatform`
 * with a `crm` connector of SYNC_BENCH_RECORDS records (the `tickwork demo-platform` command has no
 * option for it). Apart from the bench process, its page generation, signature checks and ingest parsing
 * take neither the bench's thread nor its profile. The secrets come in the environment, not argv.
 */
import { startDemoPlatform } from '../../local/demo-platform/server.ts';

const records = Number(process.env.SYNC_BENCH_RECORDS);
const token = process.env.SYNC_BENCH_TOKEN;
const signingSecret = process.env.SYNC_BENCH_SIGNING_SECRET;
if (!Number.isInteger(records) || records < 1 || token === undefined || signingSecret === undefined) {
  throw new Error(
    'SYNC_BENCH_RECORDS (a whole number), SYNC_BENCH_TOKEN and SYNC_BENCH_SIGNING_SECRET are needed',
  );
}
const platform = await startDemoPlatform({
  port: 0,
  token,
  signingSecret,
  connectorRecords: records,
  // Counted, not kept: a run of the bench sends hundreds of thousands of records.
  retainIngestBytes: 0,
  print: (line) => {
    if (/^ingest (refused|duplicate)|^error:/.test(line)) console.log(line);
  },
});
console.log(`sync bench platform listening on ${platform.url}`);
process.once('SIGTERM', () => {
  platform.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
