#!/usr/bin/env node
/**
 * Builds the package (`npm run build`; `prepack` runs it, so `npm pack` always packs a fresh build):
 * compiles tsconfig.build.json into dist/, then adds what the compiled code looks for at run time next to
 * itself, because the runtime and CDK code find their files relative to their own location, unchanged:
 *
 * - `dist/functions/<fn>/handler.ts` for every function of the catalog (shared/functions.ts names its
 *   entries `functions/<fn>/handler.ts`): the CDK construct bundles each Lambda from that entry with
 *   esbuild, and the local Lambda runtime imports it (through tsx). Each is a copy of the compiled
 *   handler, so both load the compiled graph the tests ran; JavaScript is valid input for both.
 * - `dist/package-lock.json`: NodejsFunction requires a lock file in the project root it bundles from
 *   (infra/tickwork-function.ts names `<root>/package-lock.json`); bundling installs nothing (the SDK is
 *   bundled), so an empty npm lock is enough.
 *
 * - `dist/dashboard/`: the dashboard's page and assets (plain ES modules and CSS, served as they are by
 *   local/api-front/dashboard-assets.ts, which finds them at `../../dashboard/` from itself).
 *
 * tsc itself copies package.json to dist/ (functions/commons imports it for the User-Agent), which is
 * also where `tickwork --version` reads it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

const { functionDefinitions } = await import(join(dist, 'shared/functions.js'));
for (const { entry } of Object.values(functionDefinitions)) {
  const compiled = join(dist, entry.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled)) throw new Error(`the catalog names ${entry}, but the build has no ${compiled}`);
  copyFileSync(compiled, join(dist, entry));
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(
  join(dist, 'package-lock.json'),
  `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: {} }, null, 2)}\n`,
);

cpSync(join(root, 'dashboard'), join(dist, 'dashboard'), { recursive: true });
