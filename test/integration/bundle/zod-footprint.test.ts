/**
 * What zod costs a function's cold start stays small: every function, bundled as the stack bundles it
 * (FUNCTION_BUNDLING), holds zod's mini build and its English messages only. zod's chained API (`zod`,
 * "classic") added about 70 KB to each bundle and about 25 ms of init for its first schemas, which kept
 * the API function above 1.3 times its SDK clients' cold start (bench/README-coldstart.md); one module
 * importing it would bring all of it back. Its other locales were 264 KB more.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../infra/esbuild-options.ts';
import { FUNCTION_BUNDLING } from '../../../infra/tickwork-function.ts';
import { functionDefinitions } from '../../../shared/functions.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The zod modules with code in a function's bundle (not those tree shaking emptied), as `zod/v4/...` paths. */
async function zodModules(entry: string): Promise<string[]> {
  const options = esbuildOptions(FUNCTION_BUNDLING, { entry: `${ROOT}${entry}` }, '/tmp/unwritten', ROOT);
  const result = await build({ ...options, write: false, metafile: true });
  const bundle = Object.values(result.metafile.outputs).find((output) => output.entryPoint !== undefined);
  return Object.entries(bundle?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => /node_modules\/(zod\/.*)$/.exec(path)?.[1])
    .filter((module): module is string => module !== undefined);
}

describe.each(Object.values(functionDefinitions).map((definition) => [definition.id, definition.entry]))(
  'the %s function bundled as the stack bundles it',
  (_id, entry) => {
    it('Then it holds zod/mini and the English locale, not the chained API nor other locales', async () => {
      const modules = await zodModules(entry);
      expect(modules.some((module) => module.startsWith('zod/v4/mini/'))).toBe(true);
      expect(modules.filter((module) => module.startsWith('zod/v4/classic/'))).toEqual([]);
      const locales = modules.filter((module) => module.startsWith('zod/v4/locales/'));
      expect(locales.filter((module) => !/\/(en|index)\.js$/.test(module))).toEqual([]);
      expect(locales).toContain('zod/v4/locales/en.js');
    });
  },
);
