/**
 * The import extraction behind the layering test: every form an import takes in this repository, the
 * type-only ones told apart, and text that only looks like an import (comments, strings, regular
 * expressions, `import.meta`) ignored. A form it missed would let a forbidden import through unseen.
 */
import { describe, expect, it } from 'vitest';
import { extractImports, type ImportForm, resolveImport } from '../../support/imports.ts';

type Found = [specifier: string, form: ImportForm, typeOnly: boolean];

const found = (source: string): Found[] =>
  extractImports(source).map((record) => [record.specifier, record.form, record.typeOnly]);

describe('extractImports', () => {
  it.each<[string, string, Found[]]>([
    ['a named import', "import { a, b as c } from './a.ts';", [['./a.ts', 'import', false]]],
    ['a default import', "import main from 'pkg';", [['pkg', 'import', false]]],
    ['a namespace import', 'import * as path from "node:path";', [['node:path', 'import', false]]],
    ['a default and named import', "import x, { y } from './x.ts';", [['./x.ts', 'import', false]]],
    ['a default and namespace import', "import x, * as all from './x.ts';", [['./x.ts', 'import', false]]],
    [
      'a multi-line import',
      "import {\n  alpha,\n  type Beta,\n  gamma,\n} from '../shared/x.ts';",
      [['../shared/x.ts', 'import', false]],
    ],
    ['a side-effect import', "import './polyfill.ts';", [['./polyfill.ts', 'side-effect', false]]],
    [
      'an import with attributes',
      "import pkg from '../../package.json' with { type: 'json' };",
      [['../../package.json', 'import', false]],
    ],
    ['import type { … }', "import type { A, B } from './t.ts';", [['./t.ts', 'import', true]]],
    [
      'import type { A, type B } (a redundant modifier)',
      "import type { A, type B } from './t.ts';",
      [['./t.ts', 'import', true]],
    ],
    ['import type Default', "import type Stack from 'aws-cdk-lib';", [['aws-cdk-lib', 'import', true]]],
    ['import type * as ns', "import type * as cdk from 'aws-cdk-lib';", [['aws-cdk-lib', 'import', true]]],
    ['a multi-line import type', "import type {\n  A,\n  B,\n} from './t.ts';", [['./t.ts', 'import', true]]],
    // verbatimModuleSyntax keeps `import {} from './t.ts'`, which still loads the module: a value edge.
    ['import { type A, B } (a mix)', "import { type A, B } from './t.ts';", [['./t.ts', 'import', false]]],
    ['import { type A, type B }', "import { type A, type B } from './t.ts';", [['./t.ts', 'import', false]]],
    ['a default import named type', "import type from './t.ts';", [['./t.ts', 'import', false]]],
    ['a default named type with more', "import type, { a } from './t.ts';", [['./t.ts', 'import', false]]],
    ['a named re-export', "export { a, b as c } from './a.ts';", [['./a.ts', 're-export', false]]],
    ['a star re-export', "export * from './a.ts';", [['./a.ts', 're-export', false]]],
    ['a namespace re-export', "export * as a from './a.ts';", [['./a.ts', 're-export', false]]],
    ['export type { … } from', "export type { A } from './t.ts';", [['./t.ts', 're-export', true]]],
    ['export type * from', "export type * from './t.ts';", [['./t.ts', 're-export', true]]],
    ['a multi-line re-export', "export {\n  a,\n  b,\n} from './a.ts';", [['./a.ts', 're-export', false]]],
    ['a dynamic import', "const m = await import('./lazy.ts');", [['./lazy.ts', 'dynamic', false]]],
    ['a dynamic import over lines', "await import(\n  './lazy.ts'\n);", [['./lazy.ts', 'dynamic', false]]],
    ['a dynamic import of a template', 'await import(`./lazy.ts`);', [['./lazy.ts', 'dynamic', false]]],
    [
      'a dynamic import with options',
      "await import('./d.json', { with: { type: 'json' } });",
      [['./d.json', 'dynamic', false]],
    ],
    ['a typeof import() type', "type M = typeof import('./lazy.ts');", [['./lazy.ts', 'dynamic', true]]],
    ['a require', "const cdk = require('aws-cdk-lib');", [['aws-cdk-lib', 'require', false]]],
    ['a local export list', 'export { a, b };', []],
    ['a type alias export', "export type A = { from: 'x' };", []],
    ['a declaration export', "export const from = 'x';", []],
    ['import.meta', "const here = new URL('./', import.meta.url);", []],
    ['a computed dynamic import', 'await import(pathToFileURL(file).href);', []],
    ['a concatenated dynamic import', "await import('./a' + name);", []],
    ['an import in a line comment', "// import { x } from './x.ts';", []],
    ['an import in a block comment', "/* import { x } from './x.ts'; */", []],
    ['an import in a JSDoc comment', "/**\n * export * from './x.ts'\n */", []],
    ['an import in a string', 'const text = "import { x } from \'./x.ts\'";', []],
    ['an import in a template', "const text = `import { x } from './x.ts'`;", []],
    ['a method named import', "loader.import('./x.ts');", []],
    ['a require method', "module.require('./x.ts');", []],
  ])('Given %s, Then it finds %j', (_form, source, expected) => {
    expect(found(source)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['a regular expression with quotes', `const quoted = /['"]/; import { a } from './a.ts';`],
    ['a regular expression with a slash in a class', `const r = /[/]'/; import { a } from './a.ts';`],
    [
      'a division, not a regular expression',
      "const half = total / 2; const q = '/'; import { a } from './a.ts';",
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is source text holding a template literal
    ['a template with an expression', "const t = `${'`'} ${{ a: 1 }.a}`; import { a } from './a.ts';"],
    ['an escaped quote in a string', String.raw`const s = 'it\'s'; import { a } from './a.ts';`],
  ])('Given %s before an import, Then the import is still found', (_case, source) => {
    expect(found(source)).toEqual([['./a.ts', 'import', false]]);
  });

  it('Given a dynamic import inside a template expression, Then it is found', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is source text holding a template literal
    expect(found("const s = `${await import('./x.ts')}`;")).toEqual([['./x.ts', 'dynamic', false]]);
  });

  it('Given several imports over many lines, Then each carries the line of its keyword', () => {
    const source = [
      '/**',
      ' * A header.',
      ' */',
      'import {',
      '  a,',
      "} from './a.ts';",
      "const s = 'one\\",
      "two';",
      "export * from './b.ts';",
      "const lazy = () => import('./c.ts');",
    ].join('\n');
    expect(extractImports(source).map((record) => [record.specifier, record.line])).toEqual([
      ['./a.ts', 4],
      ['./b.ts', 9],
      ['./c.ts', 10],
    ]);
  });
});

describe('resolveImport', () => {
  const files = new Set(['shared/jobs/model.ts', 'shared/index.ts', 'local/runtime.ts']);
  const options = {
    isFile: (path: string) => files.has(path),
    subpathImports: { '#shared/*': './shared/*' },
  };

  it.each([
    ['local/runtime.ts', '../shared/jobs/model.ts', { kind: 'file', path: 'shared/jobs/model.ts' }],
    ['local/runtime.ts', '../shared/jobs/model.js', { kind: 'file', path: 'shared/jobs/model.ts' }],
    ['local/runtime.ts', '../shared/jobs/model', { kind: 'file', path: 'shared/jobs/model.ts' }],
    ['local/runtime.ts', '../shared', { kind: 'file', path: 'shared/index.ts' }],
    ['local/runtime.ts', './missing.ts', { kind: 'file', path: 'local/missing.ts' }],
    ['cli/main.ts', '#shared/jobs/model.ts', { kind: 'file', path: 'shared/jobs/model.ts' }],
    ['cli/main.ts', 'node:fs/promises', { kind: 'builtin', name: 'fs/promises' }],
    ['cli/main.ts', 'fs', { kind: 'builtin', name: 'fs' }],
    ['infra/app.ts', 'aws-cdk-lib/aws-lambda', { kind: 'package', name: 'aws-cdk-lib' }],
    ['shared/x.ts', '@aws-sdk/client-dynamodb', { kind: 'package', name: '@aws-sdk/client-dynamodb' }],
    ['shared/x.ts', 'constructs', { kind: 'package', name: 'constructs' }],
  ])('Given %s importing %s, Then it resolves to %j', (from, specifier, expected) => {
    expect(resolveImport(from, specifier, options)).toEqual(expected);
  });
});
