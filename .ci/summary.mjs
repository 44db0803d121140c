// Prints the plain line CI reads ("N passed, N failed") from Vitest's JSON report.
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`no readable Vitest report at ${path}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that fails to load has no failed tests but a failed suite: count it so it cannot pass silently.
const failedTests = report.numFailedTests ?? 0;
const failed = failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
