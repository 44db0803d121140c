import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../shared/logger.ts';

const at = new Date('2026-03-01T09:28:26.064Z');

function capture(options: { level?: LogLevel; format?: 'json' | 'text' } = {}) {
  const lines: string[] = [];
  const log = createLogger({ ...options, now: () => at, write: (line) => lines.push(line) });
  return { log, lines };
}

describe('createLogger', () => {
  it('Given a JSON logger, When a line is written, Then it is one object with time, level, message and fields', () => {
    const { log, lines } = capture();
    log.info('run succeeded', { job: 'nightly', durationMs: 12 });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { time: at.toISOString(), level: 'info', message: 'run succeeded', job: 'nightly', durationMs: 12 },
    ]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('Given level %s, When every level is written, Then only %j reach the output', (level, kept) => {
    const { log, lines } = capture({ level });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(kept);
    expect(log.enabled('debug')).toBe(level === 'debug');
  });

  it('Given a child, When it logs, Then its fields are on every line and the call fields win', () => {
    const { log, lines } = capture();
    const run = log.child({ job: 'nightly', runId: 'R1' }).child({ attempt: 1 });
    run.warn('slow', { attempt: 2 });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ job: 'nightly', runId: 'R1', attempt: 2 });
  });

  it('Given an Error in the fields, When written, Then its name and message are kept', () => {
    const { log, lines } = capture();
    log.error('failed', { error: new RangeError('out of range') });
    expect(JSON.parse(lines[0] ?? '').error).toEqual({ name: 'RangeError', message: 'out of range' });
  });

  it('Given the text format, When a line is written, Then it reads as time, level, component, message, key=value', () => {
    const { log, lines } = capture({ format: 'text' });
    log.child({ component: 'scheduler' }).info('fire', { schedule: 'g/a b', lagMs: 3, outcome: 'ok' });
    expect(lines).toEqual(['09:28:26.064 info  scheduler fire schedule="g/a b" lagMs=3 outcome=ok']);
  });
});
