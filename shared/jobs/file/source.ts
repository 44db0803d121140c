/**
 * A jobs file as YAML: its parsed document and where each value sits in it. The `yaml` package keeps
 * each node's source range, so a problem the API's schemas report for a field path (`config.target.url`)
 * is placed at the line and column of that value in the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { JobsFileError, type JobsFileProblem } from './errors.ts';

/** One file of a jobs file set, parsed. `value` is its plain JavaScript value (undefined when empty). */
export interface SourceFile {
  readonly file: string;
  readonly document: Document.Parsed;
  readonly value: unknown;
  /** Line and column (1-based) of a node, or of the file's start. */
  position(node: unknown): { line: number; column: number };
}

/** Where a value was found: the node itself, or the nearest ancestor that exists. */
export interface Located {
  readonly node: unknown;
  /** How many segments of the path were found (the whole path when equal to its length). */
  readonly depth: number;
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * The files `path` names: itself, or every `*.yaml` and `*.yml` directly in it (sorted by name, so the
 * order of jobs and of problems does not depend on the file system). Problems when there are none.
 */
export function jobsFilePaths(path: string): string[] {
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch (error) {
    throw fileProblem(path, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!directory) return [path];
  const names = readdirSync(path)
    .filter((name) => YAML_FILE.test(name))
    .sort();
  if (names.length === 0) throw fileProblem(path, 'is a directory without a *.yaml or *.yml file');
  return names.map((name) => join(path, name));
}

/** A file (or directory) that cannot be read at all. */
function fileProblem(file: string, message: string): JobsFileError {
  return new JobsFileError([{ file, line: 0, column: 0, path: '', message }]);
}

/** Reads and parses one file; YAML syntax errors (and duplicate keys) come back as problems. */
export function readSource(file: string): { source?: SourceFile; problems: JobsFileProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileProblem(file, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const lineCounter = new LineCounter();
  // The core schema of YAML 1.2: `2026-01-31` and `on` stay strings, as JSON would have them.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const at = lineCounter.linePos(offset);
    return { line: Math.max(at.line, 1), column: Math.max(at.col, 1) };
  };
  const problems = document.errors.map((error) => ({
    file,
    ...position(error.pos[0]),
    path: '',
    message: `is not valid YAML: ${error.message.split('\n')[0]}`,
  }));
  if (problems.length > 0) return { problems };
  return {
    problems: [],
    source: {
      file,
      document,
      // Aliases are bounded (maxAliasCount), so an alias bomb is an error, not a hang.
      value: document.toJS({ maxAliasCount: 100 }),
      position: (node) => position(rangeStart(node) ?? 0),
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}

/**
 * The node at `path` below `from` (map keys and sequence indexes), or the deepest one found on the way.
 * A map member is located at its value, or at its key when the value is empty (`schedule:`).
 */
export function locate(document: Document.Parsed, from: unknown, path: readonly string[]): Located {
  let node = from;
  let depth = 0;
  for (const segment of path) {
    const resolved = isAlias(node) ? node.resolve(document) : node;
    let next: unknown;
    if (isMap(resolved)) {
      const pair = resolved.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (pair !== undefined) next = rangeStart(pair.value) === undefined ? pair.key : pair.value;
    } else if (isSeq(resolved) && /^\d+$/.test(segment)) {
      next = resolved.items[Number(segment)];
    }
    if (next === undefined || next === null) break;
    node = next;
    depth += 1;
  }
  return { node, depth };
}

/** `jobs`, `1`, `config`, `target` → `jobs[1].config.target`. */
export function displayPath(segments: readonly string[]): string {
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`,
    '',
  );
}
