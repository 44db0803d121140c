/** CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Context: `stage` (default `dev`), `webhookAllowedHosts`, `queryLogGroups`, `runRetentionDays`, `jobsFile` (default `tickwork.jobs.yaml` when present). */
import { App } from 'aws-cdk-lib';
import { TickworkJobError } from '../cdk/jobs.ts';
import { TickworkPropsError } from '../cdk/props.ts';
import { ContextError } from './context.ts';
import { addTickwork } from './tickwork.ts';

const app = new App();
try {
  addTickwork(app);
  app.synth();
} catch (error) {
  // A bad context value, prop or job is the operator's input, not a bug: one line, no stack trace.
  const input = [ContextError, TickworkPropsError, TickworkJobError].some((type) => error instanceof type);
  if (!input || !(error instanceof Error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
