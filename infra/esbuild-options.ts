/**
 * The esbuild options NodejsFunction derives from a `bundling` prop (aws-lambda-nodejs' buildEsbuildArgs),
 * for the tools that must bundle exactly as the stack does without synthesizing it: the bundle tests
 * (test/integration/bundle) and the baselines of the cold-start bench (bench/coldstart.bench.ts).
 */
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The `bundling` props translated below; setting any other one fails, so no bundle silently differs. */
const TRANSLATED: ReadonlySet<string> = new Set([
  'format',
  'target',
  'minify',
  'keepNames',
  'sourceMap',
  'sourcesContent',
  'banner',
  'mainFields',
  'bundleAwsSDK',
]);

/** What to bundle: a file, or source text whose imports resolve from `resolveDir`. */
export type BundleInput =
  | { readonly entry: string }
  | { readonly contents: string; readonly resolveDir: string; readonly sourcefile: string };

/**
 * esbuild options equivalent to NodejsFunction's command line for `bundling`, writing `index.mjs` (ESM) or
 * `index.js` into `outDir`. `root` is the project root NodejsFunction bundles from (its `projectRoot`).
 */
export function esbuildOptions(
  bundling: Readonly<BundlingOptions>,
  input: BundleInput,
  outDir: string,
  root: string,
): BuildOptions & { outfile: string } {
  const untranslated = Object.keys(bundling).filter((option) => !TRANSLATED.has(option));
  if (untranslated.length > 0) {
    throw new Error(
      `bundling sets ${untranslated.join(', ')}: translate it to esbuild in infra/esbuild-options.ts first`,
    );
  }
  // With the SDK external a bundle would import @aws-sdk/* at run time, which a temp directory cannot resolve.
  if (bundling.bundleAwsSDK !== true) throw new Error('expected the SDK bundled (bundleAwsSDK: true)');
  return {
    ...('entry' in input
      ? { entryPoints: [input.entry] }
      : { stdin: { contents: input.contents, resolveDir: input.resolveDir, sourcefile: input.sourcefile } }),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    // esbuild's target only decides which syntax to lower; the code uses none that Node 20 lacks, so a
    // node24 bundle runs on Node 20 unchanged (should it one day, loading it fails with a SyntaxError).
    ...(bundling.target === undefined ? {} : { target: bundling.target }),
    minify: bundling.minify ?? false,
    keepNames: bundling.keepNames ?? false,
    sourcemap: bundling.sourceMap ?? false,
    // NodejsFunction's default is true and it only passes the flag when false.
    sourcesContent: bundling.sourcesContent ?? true,
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: bundling.mainFields }),
    // NodejsFunction names an ESM bundle index.mjs.
    outfile: `${outDir}/${bundling.format === 'esm' ? 'index.mjs' : 'index.js'}`,
    logLevel: 'silent',
  };
}
