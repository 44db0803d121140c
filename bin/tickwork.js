#!/usr/bin/env node
// The published entry stays plain JavaScript. In the repository the CLI runs from its TypeScript
// sources; the installed package ships no sources (package.json `files`), only the compiled
// JavaScript in dist/, so there the same entry runs that. Choosing by what exists, not by a flag,
// keeps `npx tickwork` in the repository on the sources even when an old dist/ lies around.
import { existsSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// tsx also in the package: `tickwork local --function name=./fn.ts` loads a user's TypeScript, and the
// local Lambda runtime imports the handlers by their catalog entries (functions/*/handler.ts).
const { register } = await import('tsx/esm/api');
register();
const sources = new URL('../cli/main.ts', import.meta.url);
const { main } = await import(existsSync(sources) ? sources.href : '../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
