/**
 * The Lambda functions, defined once: the CDK stack deploys each entry with these settings and the
 * local runtime maps a function ARN back to the same handler module, so the code that runs in
 * Lambda is the code that runs locally. Job functions are derived from the kind registry: one per kind.
 */
import { sweeperFunction } from './health/function.ts';
import { type JobKind, kinds } from './kinds/registry.ts';

export type FunctionId = 'api' | 'jobs-resource' | 'sweeper' | JobKind;

export interface FunctionDefinition {
  readonly id: FunctionId;
  readonly description: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The job kind this function runs; absent for the API. */
  readonly jobKind?: JobKind;
}

export type JobFunctionDefinition = FunctionDefinition & { readonly id: JobKind; readonly jobKind: JobKind };

const apiFunction: FunctionDefinition = {
  id: 'api',
  description: 'Tickwork jobs API and status endpoint',
  entry: 'functions/api/handler.ts',
  timeoutSeconds: 29,
  memorySize: 512,
};

/**
 * The handler of the jobs custom resource (a CloudFormation custom resource through the Provider
 * framework): a stack's jobs as code, applied by the same use cases as the API. Deployed only by a
 * Tickwork construct that has jobs; the local runtime knows it like any function, so it can be invoked
 * with CloudFormation's events against the local engines.
 */
const jobsResourceFunction: FunctionDefinition = {
  id: 'jobs-resource',
  description: "Tickwork jobs as code: applies a stack's jobs (CloudFormation custom resource)",
  entry: 'functions/jobs-resource/handler.ts',
  // The Provider framework waits up to the onEvent function's timeout; a few hundred jobs, each a few
  // writes and a Scheduler call with throttling backoff, fit in minutes.
  timeoutSeconds: 900,
  memorySize: 512,
};

export { sweeperFunction };

/** One function per kind, named after it, its handler at `functions/<kind>/handler.ts`. */
export const jobFunctionDefinitions: readonly JobFunctionDefinition[] = kinds.map((kind) => ({
  id: kind.id,
  description: `Tickwork ${kind.id} job: ${kind.summary}`,
  entry: `functions/${kind.id}/handler.ts`,
  timeoutSeconds: kind.function.timeoutSeconds,
  memorySize: kind.function.memorySize,
  jobKind: kind.id,
}));

export const functionDefinitions: Readonly<Record<FunctionId, FunctionDefinition>> = Object.fromEntries([
  ['api', apiFunction],
  ['jobs-resource', jobsResourceFunction],
  ['sweeper', sweeperFunction],
  ...jobFunctionDefinitions.map((definition) => [definition.id, definition]),
]) as Record<FunctionId, FunctionDefinition>;

/** Physical function name, e.g. `tickwork-prod-prompt`. */
export function functionName(stage: string, id: FunctionId): string {
  return `tickwork-${stage}-${id}`;
}

/** The function a name like `tickwork-<stage>-<id>` refers to, or undefined. */
export function functionIdFromName(stage: string, name: string): FunctionId | undefined {
  const prefix = `tickwork-${stage}-`;
  if (!name.startsWith(prefix)) return undefined;
  const id = name.slice(prefix.length);
  return Object.hasOwn(functionDefinitions, id) ? (id as FunctionId) : undefined;
}

/** Function name from a Lambda function ARN (`arn:aws:lambda:region:account:function:name[:qualifier]`). */
export function functionNameFromArn(arn: string): string | undefined {
  const match =
    /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9-_]+)(?::[A-Za-z0-9-_$]+)?$/.exec(arn);
  return match?.[1];
}
