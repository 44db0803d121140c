/**
 * The `prompt` job function: Scheduler (or a manual trigger through the API) invokes it with a job
 * event; it runs the shared run lifecycle with the prompt kind's delivery step.
 *
 * Composition root: configuration and clients are built once per container, at cold start.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import packageJson from '../../package.json' with { type: 'json' };
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../../shared/adapters/http/client.ts';
import { LocalSecretSource, secretEnvSnapshot } from '../../shared/adapters/secrets/local.ts';
import { SecretsManagerSecretSource } from '../../shared/adapters/secrets/secrets-manager.ts';
import { systemClock } from '../../shared/clock.ts';
import { loadJobFunctionConfig } from '../../shared/config.ts';
import type { SecretSource } from '../../shared/jobs/ports.ts';
import { createPromptWork } from '../../shared/kinds/prompt/deliver.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseJobEvent } from '../../shared/runs/event.ts';
import { executeRun, type RunDeps, type RunOutcome } from '../../shared/runs/lifecycle.ts';

const config = loadJobFunctionConfig(process.env, 'prompt');
const clock = systemClock;
const log = createLogger({ level: config.logLevel, format: config.logFormat, now: () => clock.now() });
const doc = createDocumentClient();

const secrets: SecretSource =
  config.mode === 'aws'
    ? new SecretsManagerSecretSource(new SecretsManagerClient({}), config.secretsPrefix, clock)
    : new LocalSecretSource({
        ...(config.secretsFile === undefined ? {} : { file: config.secretsFile }),
        // Read once, here: the source never sees the live process.env.
        env: secretEnvSnapshot(process.env),
      });

const deps: RunDeps = {
  jobs: new DynamoJobStore(doc, config.jobsTable, clock),
  runs: new DynamoRunLedger(doc, config.runsTable, clock),
  clock,
  log,
  retentionDays: config.runRetentionDays,
  leaseSeconds: config.timeoutSeconds,
};

const work = createPromptWork({
  secrets,
  http: new SafeHttpClient({ mode: config.mode, allowedHosts: config.webhookAllowedHosts }),
  clock,
  userAgent: `tickwork/${packageJson.version}`,
});

/** Returns the outcome (for logs and tests); throws when the run failed, so Lambda retries it. */
export async function handler(event: unknown): Promise<RunOutcome> {
  return executeRun(deps, parseJobEvent(event), work);
}
