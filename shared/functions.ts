/**
 * The Lambda functions, defined once: the CDK stack deploys each entry with these settings and the
 * local runtime maps a function ARN back to the same handler module, so the code that runs in
 * Lambda is the code that runs locally.
 */
export type FunctionId = 'api' | 'prompt';

export interface FunctionDefinition {
  readonly id: FunctionId;
  readonly description: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The job kind this function runs; absent for the API. */
  readonly jobKind?: string;
}

export const functionDefinitions = {
  api: {
    id: 'api',
    description: 'Tickwork jobs API and status endpoint',
    entry: 'functions/api/handler.ts',
    timeoutSeconds: 29,
    memorySize: 512,
  },
  prompt: {
    id: 'prompt',
    description: 'Tickwork scheduled prompt: delivers a prompt to a signed webhook',
    entry: 'functions/prompt/handler.ts',
    timeoutSeconds: 60,
    memorySize: 256,
    jobKind: 'prompt',
  },
} as const satisfies Record<FunctionId, FunctionDefinition>;

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
