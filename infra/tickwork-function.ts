/**
 * Our Lambda defaults, in one place: every function of the catalog (shared/functions.ts) is deployed
 * through this construct, so runtime, architecture, bundling, tracing and logging cannot drift apart.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ASYNC_MAX_EVENT_AGE_SECONDS, ASYNC_RETRY_DELAYS_SECONDS } from '../shared/config.ts';
import {
  type FunctionDefinition,
  type FunctionId,
  functionDefinitions,
  functionName,
} from '../shared/functions.ts';

/** Catalog entries name their handler relative to the repository root, which is this file's parent folder. */
const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * An ESM bundle has no `require`, but CommonJS dependencies inside it (the AWS SDK among them) call it for
 * Node built-ins; without this banner they fail with `Dynamic require of "node:https" is not supported`.
 */
const ESM_REQUIRE_BANNER = "import{createRequire}from'module';const require=createRequire(import.meta.url);";

/**
 * How every function is bundled, exported so a test can bundle a handler exactly as the stack does
 * (test/integration/bundle/error-names.test.ts).
 */
export const FUNCTION_BUNDLING: Readonly<BundlingOptions> = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  // Minifying renames functions and classes. Their `.name` is not kept (esbuild's keepNames adds a
  // defineProperty call per function at load: 15 ms of the API's cold start on Node 20, for 1,900 of
  // them): stack traces get their names back from the source map (`--enable-source-maps`), every error
  // class sets its `name` literally (test/integration/bundle/error-names.test.ts), and no code depends on a
  // function's or a class's `.name`.
  keepNames: false,
  sourceMap: true,
  // Stack traces need the mappings, not the sources: without them the map (which Node reads at load with
  // --enable-source-maps, and which ships in the zip) is about a third of the size (API: 2.9 MB → 1.1 MB).
  sourcesContent: false,
  banner: ESM_REQUIRE_BANNER,
  // Prefer packages' ESM builds so the bundle stays ESM all the way down.
  mainFields: ['module', 'main'],
  // Ship the SDK versions the tests ran against rather than whatever the runtime preinstalls.
  bundleAwsSDK: true,
};

export interface TickworkFunctionProps {
  /** Deployment stage; part of the function and log group names. */
  readonly stage: string;
  /** The catalog entry to deploy: its handler entry, timeout, memory size and description. */
  readonly functionId: FunctionId;
  /** The variables its handler reads (names from `ENV` in shared/config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How long the function's log events are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Receives the record of an asynchronous invocation (Scheduler, manual runs) that still failed after its
   * retries (ASYNC_RETRY_DELAYS_SECONDS, which the run lifecycle also reads) or outlived six hours, Lambda's
   * own limits, set explicitly so the template states them.
   * @default - no destination and the account's async settings: for functions only ever invoked synchronously
   */
  readonly onFailure?: IQueue;
}

export class TickworkFunction extends Construct {
  readonly function: NodejsFunction;
  /** The execution role; grants to the function land here. */
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TickworkFunctionProps) {
    super(scope, id);
    const definition: FunctionDefinition = functionDefinitions[props.functionId];
    const name = functionName(props.stage, props.functionId);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${name}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // The log group is named, so a retained one would block the next deployment of the same stage after
      // the stateless stack is destroyed; its events expire with the retention period anyway.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every log group in
    // the account, this one only to the function's own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName: name,
      description: definition.description,
      entry: `${repositoryRoot}${definition.entry}`,
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: `${repositoryRoot}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: FUNCTION_BUNDLING,
      ...(props.onFailure && {
        onFailure: new SqsDestination(props.onFailure),
        retryAttempts: ASYNC_RETRY_DELAYS_SECONDS.length,
        maxEventAge: Duration.seconds(ASYNC_MAX_EVENT_AGE_SECONDS),
      }),
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions ("*" is the only resource the service authorization reference lists).',
    });
  }
}
