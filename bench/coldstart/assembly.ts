/**
 * The cold-start bench's view of `cdk synth`: synthesizes the app into a directory and reads each Lambda
 * function from the templates (its bundled asset directory, handler, and environment), so what is
 * measured is what would be deployed, not the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A function as synthesized: its bundle and the environment Lambda would give it. */
export interface SynthesizedFunction {
  /** Physical name (`tickwork-<stage>-<id>`). */
  readonly name: string;
  /** Construct path, e.g. `Service/ApiFunction/Function/Resource`. */
  readonly path: string;
  /** The bundle file the handler lives in (`index.mjs` of the asset directory). */
  readonly bundle: string;
  /** The exported handler (`handler` of `index.handler`). */
  readonly exportName: string;
  /** MemorySize, MB. */
  readonly memorySize: number;
  /** Environment.Variables with CloudFormation values replaced by dummies of the right shape. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Runs `cdk synth --quiet -o outDir` from `root` (offline: cdk.json turns notices and telemetry off). */
export function synthesize(root: string, outDir: string): void {
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outDir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' },
  });
  if (result.status !== 0) {
    throw new Error(`cdk synth failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  }
}

interface Resource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: Record<string, unknown>;
}

/** Every AWS::Lambda::Function of every template in `outDir`, sorted by name. */
export function synthesizedFunctions(outDir: string): SynthesizedFunction[] {
  const found: SynthesizedFunction[] = [];
  for (const file of readdirSync(outDir).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as {
      Resources?: Record<string, Resource>;
    };
    const resources = template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      found.push(readFunction(outDir, logicalId, resource, resources));
    }
  }
  if (found.length === 0) throw new Error(`no AWS::Lambda::Function in the templates of ${outDir}`);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function readFunction(
  outDir: string,
  logicalId: string,
  resource: Resource,
  resources: Readonly<Record<string, Resource>>,
): SynthesizedFunction {
  const metadata = resource.Metadata ?? {};
  const properties = resource.Properties ?? {};
  const path = String(metadata['aws:cdk:path'] ?? logicalId);
  // NodejsFunction's asset: a directory named in the resource's metadata (aws:asset:path).
  const assetPath = metadata['aws:asset:path'];
  const handler = properties.Handler;
  if (typeof assetPath !== 'string' || typeof handler !== 'string') {
    throw new Error(`${path}: expected a bundled asset (aws:asset:path) and a Handler`);
  }
  const [file, exportName] = handler.split('.');
  const bundle = join(outDir, assetPath, `${file}.mjs`);
  if (!existsSync(bundle) || exportName === undefined) {
    throw new Error(`${path}: handler ${handler} has no ESM bundle at ${bundle}`);
  }
  const variables =
    (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const environment = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, dummyValue(value, resources, `${path} ${name}`)]),
  );
  return {
    name: String(properties.FunctionName ?? logicalId),
    path,
    bundle,
    exportName,
    memorySize: Number(properties.MemorySize ?? 128),
    environment,
  };
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** ARNs of the shape the resource type has, since config loaders may parse them. */
function dummyArn(logicalId: string, type: string | undefined): string {
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
    default:
      return `arn:aws:${(type ?? 'AWS::Unknown::Resource').split('::')[1]?.toLowerCase()}:${REGION}:${ACCOUNT}:${logicalId}`;
  }
}

/**
 * A plain string for a CloudFormation value: literals as they are, references and imports as dummies,
 * `Fn::Join` and `Fn::Sub` assembled from those. Anything else fails, naming the variable.
 */
export function dummyValue(
  value: unknown,
  resources: Readonly<Record<string, Resource>>,
  where: string,
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const [[fn, args] = []] = Object.entries(value);
    // A topic's Ref is its ARN (the alerts topic: the functions' config checks it is one).
    if (fn === 'Ref' && typeof args === 'string') {
      return resources[args]?.Type === 'AWS::SNS::Topic'
        ? dummyArn(args, 'AWS::SNS::Topic')
        : `dummy-${args}`;
    }
    if (fn === 'Fn::ImportValue')
      return `dummy-import-${dummyValue(args, resources, where).replace(/\W+/g, '-')}`;
    if (fn === 'Fn::GetAtt' && Array.isArray(args)) {
      const [logicalId, attribute] = args as [string, string];
      return attribute === 'Arn'
        ? dummyArn(logicalId, resources[logicalId]?.Type)
        : `dummy-${logicalId}-${attribute}`;
    }
    if (fn === 'Fn::Join' && Array.isArray(args)) {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => dummyValue(part, resources, where)).join(separator);
    }
    if (fn === 'Fn::Sub' && typeof args === 'string') {
      return args.replace(/\$\{([^}]+)\}/g, (_, name: string) => `dummy-${name}`);
    }
  }
  throw new Error(`${where}: cannot make a dummy for ${JSON.stringify(value)}`);
}
