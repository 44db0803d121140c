/**
 * The cold-start bench's baseline for a function: a bundle of only the AWS SDK clients that function's
 * bundle contains, each constructed once at module scope as the function's composition root does, built
 * with the stack's own bundling options (FUNCTION_BUNDLING through infra/esbuild-options.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/esbuild-options.ts';
import { FUNCTION_BUNDLING } from '../../infra/tickwork-function.ts';

/**
 * The `@aws-sdk/client-*` packages a bundle holds, read from its source map's `sources` (the files esbuild
 * put into it, which is what its metafile's inputs would list), sorted.
 */
export function sdkClientPackages(bundle: string): string[] {
  let sources: string[];
  try {
    sources = (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources;
  } catch (error) {
    throw new Error(
      `cannot read the source map of ${bundle} (the bench needs FUNCTION_BUNDLING.sourceMap): ${error}`,
    );
  }
  const packages = new Set<string>();
  for (const source of sources) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(source);
    if (match?.[1] !== undefined) packages.add(match[1]);
  }
  return [...packages].sort();
}

/** The one `<Service>Client` class a client package exports (DynamoDBClient, LambdaClient, …). */
async function clientClassName(packageName: string): Promise<string> {
  const names = Object.keys(await import(packageName)).filter(
    (name) => /^[A-Z]\w*Client$/.test(name) && name !== '__Client',
  );
  if (names.length !== 1 || names[0] === undefined) {
    throw new Error(`${packageName}: expected one exported <Service>Client class, found ${names.join(', ')}`);
  }
  return names[0];
}

/**
 * The baseline's source: the clients imported by name (so tree shaking keeps what the function's own
 * named imports keep) and constructed once each with default settings, and a handler to export.
 */
export async function baselineSource(packages: readonly string[], exportName: string): Promise<string> {
  const clients = await Promise.all(
    packages.map(async (packageName) => ({ packageName, className: await clientClassName(packageName) })),
  );
  return [
    ...clients.map(({ packageName, className }) => `import { ${className} } from '${packageName}';`),
    `const clients = [${clients.map(({ className }) => `new ${className}({})`).join(', ')}];`,
    `export const ${exportName} = async () => clients.length;`,
    '',
  ].join('\n');
}

/** Builds the baseline into `outDir` as the stack builds a function; returns the bundle's path. */
export async function buildBaseline(
  source: string,
  name: string,
  outDir: string,
  root: string,
): Promise<string> {
  const options = esbuildOptions(
    FUNCTION_BUNDLING,
    { contents: source, resolveDir: root, sourcefile: `baseline-${name}.mjs` },
    outDir,
    root,
  );
  await build(options);
  return options.outfile;
}

export interface BundleSize {
  readonly raw: number;
  readonly gzip: number;
}

/** Bytes of the bundle file itself (not its source map), raw and gzip-compressed (zlib default level). */
export function bundleSize(bundle: string): BundleSize {
  return { raw: statSync(bundle).size, gzip: gzipSync(readFileSync(bundle)).length };
}
