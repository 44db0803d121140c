/**
 * `tickwork local --function <name>=<module>` and `--event-bus <name>`: the user's own Lambda functions
 * (for task jobs and fan-out expansion) registered in the local Lambda runtime under the stack's local
 * ARNs, and the event buses the local EventBridge endpoint has besides `default`. Checked before the
 * stack starts, each bad value a UsageError naming the flag, the value and the rule.
 */
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { LOCAL_STAGE, localFunctionArn } from '../../local/lambda/environment.ts';
import type { FunctionEntry } from '../../local/lambda/runtime.ts';
import { functionDefinitions, functionName } from '../../shared/functions.ts';
import { EVENT_BUS_NAME_PATTERN } from '../../shared/kinds/targets.ts';
import { UsageError } from '../usage-error.ts';

/** Lambda's function name rule. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The module kinds the CLI loads (through tsx): TypeScript or JavaScript, CommonJS or ESM. */
const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/**
 * A user's function gets Lambda's longest timeout locally: the task target's own `timeoutSeconds` is
 * what bounds a call, and a deployed function's timeout is the user's to set.
 */
export const USER_FUNCTION_TIMEOUT_SECONDS = 900;
const USER_FUNCTION_MEMORY_MB = 128;

/** The user's functions by name (absolute module paths), from each `name=path` given. */
export function parseUserFunctions(specs: readonly string[], cwd: string): Record<string, FunctionEntry> {
  const ownNames = new Set(
    Object.keys(functionDefinitions).map((id) => functionName(LOCAL_STAGE, id as never)),
  );
  const functions: Record<string, FunctionEntry> = {};
  for (const spec of specs) {
    const separator = spec.indexOf('=');
    if (separator < 1 || separator === spec.length - 1) {
      throw new UsageError(`--function must be <name>=<path to a module exporting handler>; got "${spec}"`);
    }
    const name = spec.slice(0, separator);
    const path = resolve(cwd, spec.slice(separator + 1));
    if (!FUNCTION_NAME_PATTERN.test(name)) {
      throw new UsageError(`--function name must be 1-64 of A-Z a-z 0-9 _ - (Lambda's rule); got "${name}"`);
    }
    if (ownNames.has(name)) {
      throw new UsageError(
        `--function name "${name}" is one of the stack's own functions; choose another name`,
      );
    }
    if (Object.hasOwn(functions, name)) {
      throw new UsageError(`--function name "${name}" is given more than once`);
    }
    if (!isFile(path)) throw new UsageError(`--function ${name}: no file at ${path}`);
    if (!MODULE_EXTENSIONS.includes(extname(path))) {
      throw new UsageError(
        `--function ${name}: ${path} must be a module (${MODULE_EXTENSIONS.join(', ')}) exporting handler`,
      );
    }
    functions[name] = {
      entry: path,
      timeoutSeconds: USER_FUNCTION_TIMEOUT_SECONDS,
      memorySize: USER_FUNCTION_MEMORY_MB,
    };
  }
  return functions;
}

/** The event buses named by `--event-bus` (`default` always exists), without duplicates. */
export function parseEventBuses(names: readonly string[]): string[] {
  for (const name of names) {
    if (!EVENT_BUS_NAME_PATTERN.test(name)) {
      throw new UsageError(
        `--event-bus must be an event bus name (1-256 of A-Z a-z 0-9 . _ - /); got "${name}"`,
      );
    }
  }
  return [...new Set(names)];
}

/** The lines `tickwork local` prints for the user's functions: each one's ARN, for a job's config. */
export function userFunctionLines(functions: Readonly<Record<string, FunctionEntry>>): string[] {
  return Object.entries(functions).map(([name, entry]) =>
    bannerLine('function', `${localFunctionArn(name)}  (${entry.entry})`),
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** One line of `tickwork local`'s start banner: its label in a column wide enough for the longest (`EventBridge`). */
export function bannerLine(label: string, value: string): string {
  return `  ${label.padEnd(12)}${value}`;
}
