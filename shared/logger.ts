/**
 * The one logger port: the API, the run lifecycle, the job kinds and the local runtime all log through
 * it. A line is one JSON object (`{"time","level","message",...fields}`), which CloudWatch Logs Insights
 * reads as fields; the local stack can ask for a text rendering of the same line for a terminal.
 * Callers pass identifiers and outcomes, never secret values.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'text'] as const;
/** `json`: one JSON object per line (Lambda, files). `text`: `time level message key=value …` (a terminal). */
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (e.g. the job and run id). */
  child(fields: LogFields): Logger;
  /** False when a line of `level` would be dropped: lets a caller skip building costly fields. */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  /** @default 'json' */
  readonly format?: LogFormat;
  /** Receives each line without its newline. @default a write to stdout */
  readonly write?: (line: string) => void;
  /** The time written on each line. @default the wall clock */
  readonly now?: () => Date;
  /** Carried by every line. */
  readonly fields?: LogFields;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

const writeStdout = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const render = (options.format ?? 'json') === 'json' ? jsonLine : textLine;
  const write = options.write ?? writeStdout;
  const now = options.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (RANK[level] < threshold) return;
      write(render(now(), level, message, fields === undefined ? base : { ...base, ...fields }));
    };
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
      child: (fields) => make({ ...base, ...fields }),
      enabled: (level) => RANK[level] >= threshold,
    };
  };
  return make(options.fields ?? {});
}

/** Drops every line (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });

function jsonLine(time: Date, level: LogLevel, message: string, fields: LogFields): string {
  return JSON.stringify({ time: time.toISOString(), level, message, ...fields }, replaceErrors);
}

/** `09:28:26.064 info  scheduler fire schedule=a/b outcome=succeeded`: `component` leads the message. */
function textLine(time: Date, level: LogLevel, message: string, fields: LogFields): string {
  const { component, ...rest } = fields;
  const parts = [time.toISOString().slice(11, 23), level.padEnd(5)];
  if (typeof component === 'string') parts.push(component);
  parts.push(message);
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value, replaceErrors);
    parts.push(`${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}

/** Errors serialize as their name and message (JSON.stringify would write `{}`). */
function replaceErrors(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
