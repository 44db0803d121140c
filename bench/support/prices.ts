import { readFile } from 'node:fs/promises';

/**
 * AWS list prices (us-east-1, no free tier, no savings plan) the capacity bench turns its measures into
 * dollars with, and the cost model. One object, with the day the prices were read and where: when AWS
 * changes a price, this is the one place to change.
 */

export const PRICES = {
  readOn: '2026-11-29',
  region: 'us-east-1',
  dynamodb: {
    /** On-demand, Standard table class, since the 50 % cut of 2024-11-01. */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
    source:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ (figures as quoted for US East by https://airbyte.com/data-engineering-resources/dynamodb-pricing; the cut: https://www.jusdb.com/blog/dynamodb-cost-optimization-a-comprehensive-guide-by-jusdb)',
  },
  lambda: {
    perMillionRequests: 0.2,
    /** First tier (7.5 billion GB-s a month); duration billed per 1 ms. */
    perGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
    source:
      'https://aws.amazon.com/lambda/pricing/ (figures as quoted by https://cloudchipr.com/blog/aws-lambda-pricing)',
  },
  scheduler: {
    /** After the 14 million free invocations a month. */
    perMillionInvocations: 1.0,
    source:
      'https://aws.amazon.com/eventbridge/pricing/ (figures as quoted for us-east-1 by https://cloudburn.io/blog/amazon-eventbridge-pricing)',
  },
  logs: {
    /** Standard class; Lambda's logs are tiered since 2025-05-01 and this is the first tier (10 TB a month). */
    perGbIngested: 0.5,
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ (first tier as quoted by https://www.duckbillgroup.com/?p=9080 and https://c3x.dev/blog/cloudwatch-logs-cost-optimization)',
  },
  secretsManager: {
    perTenThousandCalls: 0.05,
    source:
      'https://aws.amazon.com/secrets-manager/pricing/ (as quoted by https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms)',
  },
  xray: {
    /** Not confirmed by the search on the day above: the widely quoted figure. */
    perMillionTracesRecorded: 5.0,
    source: 'https://aws.amazon.com/xray/pricing/ (unconfirmed)',
  },
} as const;

export type LambdaArchitecture = keyof typeof PRICES.lambda.perGbSecond;

/** What one run costs, measured. */
export interface RunMeasures {
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Median handler duration, before rounding up to Lambda's 1 ms. */
  readonly durationMs: number;
  readonly memoryMb: number;
  readonly architecture: LambdaArchitecture;
  /** CloudWatch Logs bytes per run: the run's own lines and Lambda's START/END/REPORT. */
  readonly logBytes: number;
}

export interface CostBreakdown {
  readonly scheduler: number;
  readonly lambdaRequests: number;
  readonly lambdaCompute: number;
  readonly dynamodbWrites: number;
  readonly dynamodbReads: number;
  readonly logs: number;
  readonly total: number;
}

/** Dollars per million runs: each run is one Scheduler invocation and one Lambda request. */
export function costPerMillionRuns(measures: RunMeasures): CostBreakdown {
  const million = 1_000_000;
  const billedSeconds = Math.ceil(measures.durationMs) / 1000;
  const parts = {
    scheduler: PRICES.scheduler.perMillionInvocations,
    lambdaRequests: PRICES.lambda.perMillionRequests,
    lambdaCompute:
      million * billedSeconds * (measures.memoryMb / 1024) * PRICES.lambda.perGbSecond[measures.architecture],
    dynamodbWrites: measures.writeUnits * PRICES.dynamodb.perMillionWriteUnits,
    dynamodbReads: measures.readUnits * PRICES.dynamodb.perMillionReadUnits,
    // Decimal GB: of the two readings, the one that does not understate the cost.
    logs: ((million * measures.logBytes) / 1e9) * PRICES.logs.perGbIngested,
  };
  return { ...parts, total: Object.values(parts).reduce((sum, part) => sum + part, 0) };
}

/**
 * Bytes of the lines Lambda itself logs for each invocation (START, END, REPORT with the X-Ray line of an
 * actively traced function), in the text log format the functions use (infra/tickwork-function.ts).
 */
export function lambdaPlatformLogBytes(memoryMb: number): number {
  const requestId = '8f5e2c1a-3b4d-4e6f-9a8b-7c6d5e4f3a2b';
  const lines = [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: 23.45 ms\tBilled Duration: 24 ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 98 MB\t\nXRAY TraceId: 1-6749a1b2-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t`,
  ];
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
}

/** The architecture the stack deploys the functions on, read from infra/tickwork-function.ts's source (importing it would load the CDK). */
export async function deployedArchitecture(): Promise<LambdaArchitecture> {
  const source = await readFile(new URL('../../infra/tickwork-function.ts', import.meta.url), 'utf8');
  const found = /architecture:\s*Architecture\.(ARM_64|X86_64)/.exec(source)?.[1];
  if (found === undefined)
    throw new Error('infra/tickwork-function.ts names no Lambda architecture this bench knows');
  return found === 'ARM_64' ? 'arm64' : 'x86_64';
}
