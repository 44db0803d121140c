/** A real logger whose lines a test can read back as objects. */
import { createLogger, type Logger, type LogLevel } from '../../shared/logger.ts';

export interface CapturedLogs {
  readonly log: Logger;
  /** Each line parsed: `{time, level, message, ...fields}`. */
  readonly entries: Record<string, unknown>[];
}

export function captureLogs(level: LogLevel = 'debug'): CapturedLogs {
  const entries: Record<string, unknown>[] = [];
  return { log: createLogger({ level, write: (line) => entries.push(JSON.parse(line)) }), entries };
}
