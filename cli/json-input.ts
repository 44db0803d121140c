/**
 * JSON objects given on the command line (`--config`, `--params`) or in a file (`--file`,
 * `--config-file`, `--params-file`), checked before anything is sent.
 */
import { readFileSync } from 'node:fs';
import { isRecord } from './api-client.ts';
import { UsageError } from './usage-error.ts';

/** `text` as a JSON object; UsageError naming `what` when it is not JSON or not an object. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    throw new UsageError(`${what} must be a JSON object, got ${got}`);
  }
  return value;
}

/** The JSON object in the file at `path`; UsageError naming the flag and the file otherwise. */
export function readJsonObject(path: string, flag: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseJsonObject(text, `${flag} ${path}`);
}

/**
 * The object from `--<flag> JSON` or `--<flag>-file PATH` (at most one of them), or undefined when
 * neither is given.
 */
export function jsonObjectOption(
  flag: string,
  text: string | undefined,
  file: string | undefined,
): Record<string, unknown> | undefined {
  if (text !== undefined && file !== undefined) {
    throw new UsageError(`${flag} and ${flag}-file cannot be given together`);
  }
  if (text !== undefined) return parseJsonObject(text, flag);
  if (file !== undefined) return readJsonObject(file, `${flag}-file`);
  return undefined;
}
