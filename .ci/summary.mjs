// Prints the plain line CI reads ("N passed, N failed") from Vitest's JSON reports (one per runtime the
// suite ran on), summed, after a line per report.
import { readFileSync } from 'node:fs';

const paths = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const path of paths) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`no readable Vitest report at ${path}: ${error.message}`);
    failed += 1;
    continue;
  }
  const reportPassed = report.numPassedTests ?? 0;
  // A file that fails to load has no failed tests but a failed suite: count it so it cannot pass silently.
  const failedTests = report.numFailedTests ?? 0;
  const reportFailed = failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
  console.error(`${path}: tests passed ${reportPassed}, failed ${reportFailed}`);
  passed += reportPassed;
  failed += reportFailed + (reportPassed === 0 ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
