/** CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Context: `stage` (default `dev`), `webhookAllowedHosts`, `queryLogGroups`, `runRetentionDays`. */
import { App } from 'aws-cdk-lib';
import { ContextError } from './context.ts';
import { addTickwork } from './tickwork.ts';

const app = new App();
try {
  addTickwork(app);
  app.synth();
} catch (error) {
  // A bad context value is the operator's input, not a bug: one line, no stack trace.
  if (!(error instanceof ContextError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
