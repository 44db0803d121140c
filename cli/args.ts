/**
 * Flag parsing for the CLI commands: `--name value`, `--name=value`, boolean switches, repeatable
 * flags and `--` to end the flags. Every problem is a UsageError naming the flag, the value and the
 * rule, raised before anything is sent.
 */
import { UsageError } from './usage-error.ts';

export type FlagKind = 'string' | 'boolean' | 'integer' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** Placeholder shown in help, e.g. `N` or `JSON`. */
  readonly value?: string;
  readonly help: string;
  /** Integers only: the smallest accepted value. @default 1 */
  readonly min?: number;
  /** Integers only: the largest accepted value. */
  readonly max?: number;
  /** Strings only: the accepted values. */
  readonly choices?: readonly string[];
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type FlagValue<K extends FlagKind> = K extends 'boolean'
  ? boolean
  : K extends 'integer'
    ? number
    : K extends 'list'
      ? string[]
      : string;

/** Parsed flags, keyed by flag name without the dashes; absent when not given. */
export type Flags<S extends FlagSpecs> = { -readonly [N in keyof S]?: FlagValue<S[N]['kind']> };

export interface ParsedArgs<S extends FlagSpecs> {
  readonly positionals: string[];
  readonly flags: Flags<S>;
  /** `--help` or `-h` was given (then nothing else is checked). */
  readonly help: boolean;
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { true: true, false: false };

/** Parses `args` against `specs`; unknown flags, missing values and bad values throw UsageError. */
export function parseArgs<S extends FlagSpecs>(args: readonly string[], specs: S): ParsedArgs<S> {
  if (args.includes('--help') || args.includes('-h')) return { positionals: [], flags: {}, help: true };
  const positionals: string[] = [];
  const flags: Record<string, unknown> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(`unknown option ${arg}; options are spelled with two dashes: ${known(specs)}`);
      }
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) throw new UsageError(`unknown option --${name}; expected one of ${known(specs)}`);
    let text: string | undefined = equals === -1 ? undefined : arg.slice(equals + 1);
    if (spec.kind === 'boolean') {
      const value = text === undefined ? true : BOOLEAN_TEXT[text];
      if (value === undefined)
        throw new UsageError(`--${name} takes no value or =true/=false, got "${text}"`);
      setOnce(flags, name, value);
      continue;
    }
    if (text === undefined) {
      const next = args[index + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value${spec.value === undefined ? '' : ` (${spec.value})`}`);
      }
      text = next;
      index++;
    }
    if (spec.kind === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(text);
      flags[name] = list;
    } else if (spec.kind === 'integer') {
      setOnce(flags, name, parseInteger(name, text, spec));
    } else {
      if (spec.choices !== undefined && !spec.choices.includes(text)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, got "${text}"`);
      }
      setOnce(flags, name, text);
    }
  }
  return { positionals, flags: flags as Flags<S>, help: false };
}

function setOnce(flags: Record<string, unknown>, name: string, value: unknown): void {
  if (Object.hasOwn(flags, name)) throw new UsageError(`--${name} is given more than once`);
  flags[name] = value;
}

function parseInteger(name: string, text: string, spec: FlagSpec): number {
  const min = spec.min ?? 1;
  const range = spec.max === undefined ? `${min} or more` : `from ${min} to ${spec.max}`;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || (spec.max !== undefined && value > spec.max)) {
    throw new UsageError(`--${name} must be a whole number ${range}, got "${text}"`);
  }
  return value;
}

function known(specs: FlagSpecs): string {
  return Object.keys(specs)
    .map((name) => `--${name}`)
    .join(', ');
}

/** Exactly `names.length` positionals, named in the message when missing or extra. */
export function expectPositionals(positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((name) => `<${name}>`)
        .join(' ')}`,
    );
  }
  if (positionals.length > names.length) {
    throw new UsageError(
      `unexpected argument "${positionals[names.length]}"; expected ${names.length === 0 ? 'none' : names.map((name) => `<${name}>`).join(' ')}`,
    );
  }
  return [...positionals];
}

/** The help text of a command: a usage line, a summary and one line per flag. */
export function helpText(usage: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
    return [left, spec.help] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: ${usage}`,
    '',
    summary,
    ...(rows.length === 0
      ? []
      : ['', 'options:', ...rows.map(([left, help]) => `${left.padEnd(width)}${help}`)]),
    '',
  ].join('\n');
}
