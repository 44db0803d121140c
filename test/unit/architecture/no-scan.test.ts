/**
 * An architecture rule checked on the source text (node:fs, no parser): every access pattern on a request
 * path is a Query or a GetItem, never a Scan (issue 4, §1). Comments are stripped first, so explaining a
 * rule never breaks it. Import rules (runtime code never loads the CDK, among others) live in layers.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT as ROOT, sourceFiles } from '../../support/source-files.ts';

/**
 * The code of a TypeScript source without its comments. String and template literals are kept (an import
 * specifier is one); a `//` or `/*` inside them does not start a comment.
 */
function withoutComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
      out += ' ';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const start = i;
      i++;
      while (i < source.length && source[i] !== ch) i += source[i] === '\\' ? 2 : 1;
      i++;
      out += source.slice(start, i);
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The lines of `files` whose code (comments removed) matches `pattern`, as `path:line: text`. */
function violations(files: readonly string[], pattern: RegExp): string[] {
  const found: string[] = [];
  for (const file of files) {
    const code = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
    code.split('\n').forEach((line, index) => {
      if (pattern.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

// ScanCommand (client-dynamodb or lib-dynamodb), paginateScan, or a `.scan(` call on any client.
const SCAN = /\bScanCommand\b|\bpaginateScan\b|\.scan\s*\(/;

describe('architecture rules on the source', () => {
  const requestPath = [...sourceFiles('shared'), ...sourceFiles('functions')];

  it('finds the runtime sources it checks', () => {
    expect(requestPath).toContain('shared/adapters/dynamodb/run-ledger.ts');
    expect(requestPath).toContain('functions/api/handler.ts');
  });

  it('Given the runtime sources under shared/ and functions/, Then none imports, constructs or calls a Scan', () => {
    expect(violations(requestPath, SCAN)).toEqual([]);
  });

  it.each<[string, string, RegExp, boolean]>([
    ['a ScanCommand import', "import { ScanCommand } from '@aws-sdk/lib-dynamodb';", SCAN, true],
    ['a constructed Scan', 'await doc.send(new ScanCommand({ TableName }));', SCAN, true],
    ['a paginated Scan', 'for await (const page of paginateScan({ client }, input)) {}', SCAN, true],
    ['a .scan( call', 'const all = await table.scan ({});', SCAN, true],
    ['ScanIndexForward (a Query option)', 'ScanIndexForward: false,', SCAN, false],
    ['a Scan named in a comment', '// never a ScanCommand here', SCAN, false],
    ['a Scan named in a block comment', '/* new ScanCommand() would read everything */', SCAN, false],
  ])('Given %s, When checked, Then it is flagged: %s', (_case, line, pattern, flagged) => {
    expect(pattern.test(withoutComments(line))).toBe(flagged);
  });

  it('Given a comment marker inside a string, When comments are removed, Then the string stays', () => {
    expect(withoutComments("const url = 'http://example.com'; // note")).toBe(
      "const url = 'http://example.com'; ",
    );
  });
});
