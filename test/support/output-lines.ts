/**
 * The JSON lines this process writes while a test runs: Powertools Logger and Metrics write through a
 * `Console` on `process.stdout` and `process.stderr` (error and warn lines), both of which Lambda sends
 * to CloudWatch Logs; so their real output is read where Lambda would read it. A JSON line is kept (and
 * not printed); anything else (the test runner's own output) goes through.
 */
import { afterEach, beforeEach, vi } from 'vitest';

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

export function captureOutputJson(): () => Record<string, unknown>[] {
  let lines: Record<string, unknown>[] = [];
  const capture = (stream: NodeJS.WriteStream) => {
    const write = stream.write.bind(stream) as Write;
    vi.spyOn(stream, 'write').mockImplementation(((chunk, ...rest) => {
      const text = (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).trim();
      if (text.startsWith('{')) {
        try {
          lines.push(JSON.parse(text) as Record<string, unknown>);
          return true;
        } catch {
          // not one JSON line: written through
        }
      }
      return write(chunk, ...rest);
    }) as Write);
  };
  beforeEach(() => {
    lines = [];
    capture(process.stdout);
    capture(process.stderr);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return () => lines;
}
