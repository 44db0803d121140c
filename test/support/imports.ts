/**
 * The imports of a TypeScript or JavaScript source, found by a small tokenizer rather than by regular
 * expressions over the text: comments, strings, template literals and regular-expression literals are
 * skipped as tokens, so an import named in a comment or a string is never taken for one, and one that
 * spans lines is still found. No dependency: the architecture test must not need more than the source.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';

export type ImportForm = 'import' | 'side-effect' | 're-export' | 'dynamic' | 'require';

export interface ImportRecord {
  readonly specifier: string;
  readonly form: ImportForm;
  /**
   * `import type …`, `export type … from`, or `typeof import('…')`: erased before the code runs. Inline
   * `type` modifiers alone (`import { type A } from`) do not make an import type-only: with
   * verbatimModuleSyntax (tsconfig.json) the statement stays as `import {} from`, which still loads the module.
   */
  readonly typeOnly: boolean;
  /** 1-based line of the `import`, `export` or `require` keyword. */
  readonly line: number;
}

interface Token {
  readonly kind: 'name' | 'string' | 'punct';
  readonly value: string;
  readonly line: number;
}

// After these words an expression starts, so a `/` begins a regular expression rather than a division.
const BEFORE_EXPRESSION = new Set(
  'return typeof instanceof in of new delete void throw case do else yield await'.split(' '),
);

/** The tokens that matter for imports: names, string literals (template literals without `${}` too) and punctuators. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `{` or `${`: a `}` closing a `${` resumes the template literal around it.
  const braces: Array<'block' | 'template'> = [];
  let line = 1;
  let i = 0;
  const push = (kind: Token['kind'], value: string, at: number) => tokens.push({ kind, value, line: at });
  const regexAllowed = () => {
    const last = tokens.at(-1);
    if (last === undefined) return true;
    if (last.kind === 'name') return BEFORE_EXPRESSION.has(last.value);
    return last.kind === 'punct' && !')]}'.includes(last.value);
  };
  /** Scans template text from `i` (just after a backtick or a `}` closing `${`) to its end or next `${`. */
  const template = (startLine: number) => {
    let text = '';
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '$' && source[i + 1] === '{') {
        braces.push('template');
        i += 2;
        push('punct', '${', line);
        return;
      }
      if (source[i] === '\\') text += source[i++];
      if (source[i] === '\n') line++;
      text += source[i++];
    }
    i++;
    push('string', text, startLine);
  };

  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) if (source[i] === '\n') line++;
    } else if (ch === "'" || ch === '"') {
      const startLine = line;
      let text = '';
      for (i++; i < source.length && source[i] !== ch && source[i] !== '\n'; i++) {
        if (source[i] === '\\' && source[++i] === '\n') line++;
        text += source[i];
      }
      if (source[i] === ch) i++;
      push('string', text, startLine);
    } else if (ch === '`') {
      i++;
      template(line);
    } else if (ch === '}' && braces.at(-1) === 'template') {
      braces.pop();
      i++;
      template(line);
    } else if (ch === '/' && regexAllowed()) {
      let inClass = false;
      for (i++; i < source.length && source[i] !== '\n'; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        else if (source[i] === '/' && !inClass) break;
      }
      if (source[i] === '/') i++;
      while (i < source.length && /\w/.test(source[i] as string)) i++;
      push('punct', '/regex/', line);
    } else if (/[\w$#@]/.test(ch)) {
      // `#private` fields and `@decorators` are names too; only the word after the sign matters.
      const start = i++;
      while (i < source.length && /[\w$]/.test(source[i] as string)) i++;
      push('name', source.slice(start, i), line);
    } else {
      if (ch === '{') braces.push('block');
      if (ch === '}') braces.pop();
      push('punct', ch, line);
      i++;
    }
  }
  return tokens;
}

/** Every import, re-export, dynamic import with a literal specifier, and `require('…')` of `source`. */
export function extractImports(source: string): ImportRecord[] {
  const tokens = tokenize(source);
  const found: ImportRecord[] = [];
  const is = (index: number, kind: Token['kind'], value?: string) => {
    const token = tokens[index];
    return token !== undefined && token.kind === kind && (value === undefined || token.value === value);
  };
  const stringAt = (index: number) => (is(index, 'string') ? (tokens[index] as Token).value : undefined);
  /** Index after `{ … }`, `* as name`, `* ` (re-exports), or a default name followed by one of those. */
  const afterClause = (index: number): number => {
    if (is(index, 'punct', '{')) {
      let depth = 0;
      for (let j = index; j < tokens.length; j++) {
        if (is(j, 'punct', '{')) depth++;
        if (is(j, 'punct', '}') && --depth === 0) return j + 1;
      }
      return -1;
    }
    if (is(index, 'punct', '*')) return is(index + 1, 'name', 'as') ? index + 3 : index + 1;
    if (is(index, 'name')) return is(index + 1, 'punct', ',') ? afterClause(index + 2) : index + 1;
    return -1;
  };
  /** The specifier of `from '…'` at `index`, if that is what stands there. */
  const fromAt = (index: number) =>
    index >= 0 && is(index, 'name', 'from') ? stringAt(index + 1) : undefined;

  tokens.forEach((token, index) => {
    if (token.kind !== 'name' || is(index - 1, 'punct', '.')) return;
    const add = (specifier: string | undefined, form: ImportForm, typeOnly: boolean) => {
      if (specifier !== undefined) found.push({ specifier, form, typeOnly, line: token.line });
    };
    if (token.value === 'import') {
      if (is(index + 1, 'punct', '(')) {
        // Only a literal specifier says where it leads: `import(variable)` and `import('./a' + b)` cannot be resolved.
        const literal = is(index + 3, 'punct', ')') || is(index + 3, 'punct', ',');
        if (literal) add(stringAt(index + 2), 'dynamic', is(index - 1, 'name', 'typeof'));
      } else if (is(index + 1, 'string')) {
        add(stringAt(index + 1), 'side-effect', false);
      } else {
        // `import type from '…'` and `import type, { a } from '…'` import a default export named `type`.
        const typeOnly = is(index + 1, 'name', 'type') && !is(index + 2, 'punct', ',') && !fromAt(index + 2);
        add(fromAt(afterClause(index + (typeOnly ? 2 : 1))), 'import', typeOnly);
      }
    } else if (token.value === 'export') {
      const typeOnly = is(index + 1, 'name', 'type');
      const clause = index + (typeOnly ? 2 : 1);
      if (is(clause, 'punct', '{') || is(clause, 'punct', '*'))
        add(fromAt(afterClause(clause)), 're-export', typeOnly);
    } else if (token.value === 'require' && is(index + 1, 'punct', '(') && is(index + 3, 'punct', ')')) {
      add(stringAt(index + 2), 'require', false);
    }
  });
  return found;
}

/** Where an import specifier leads: a file of the repository, a package, or a Node built-in. */
export type ImportTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'package'; readonly name: string }
  | { readonly kind: 'builtin'; readonly name: string };

export interface ResolveOptions {
  /** Whether a repository path (posix, relative to the root) is a file. */
  readonly isFile: (path: string) => boolean;
  /** package.json `imports`, e.g. `{ "#shared/*": "./shared/*" }`. */
  readonly subpathImports?: Readonly<Record<string, string>>;
}

const BUILTINS = new Set(builtinModules);

/**
 * Resolves `specifier` imported by the repository file `from` (posix, relative to the root) as Node and
 * esbuild would for this repository: relative and `#` subpath specifiers to files (`.ts` written or
 * implied by `.js`), anything else to a package or a built-in.
 */
export function resolveImport(from: string, specifier: string, options: ResolveOptions): ImportTarget {
  let relative: string | undefined;
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    relative = posix.join(posix.dirname(from), specifier);
  } else if (specifier.startsWith('#')) {
    for (const [pattern, target] of Object.entries(options.subpathImports ?? {})) {
      const [prefix = '', suffix = ''] = pattern.split('*');
      if (specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
        const middle = specifier.slice(prefix.length, specifier.length - suffix.length);
        relative = posix.normalize(target.replace('*', middle));
        break;
      }
    }
  }
  if (relative !== undefined) {
    const candidates = [
      relative,
      relative.replace(/\.js$/, '.ts'),
      `${relative}.ts`,
      `${relative}.js`,
      `${relative}/index.ts`,
      `${relative}/index.js`,
    ];
    return { kind: 'file', path: candidates.find(options.isFile) ?? relative };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0] as string)) {
    return { kind: 'builtin', name: specifier.replace(/^node:/, '') };
  }
  const segments = specifier.split('/');
  const name = specifier.startsWith('@') ? segments.slice(0, 2).join('/') : (segments[0] as string);
  return { kind: 'package', name };
}
