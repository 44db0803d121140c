/** The capacity bench's per-path figures, from its samples (one per measured run). */
import type { Consumption } from './capacity-meter.ts';
import { average } from './stats.ts';

export interface PathSummary {
  /** Units per run, averaged over the samples. */
  readonly write: number;
  readonly read: number;
  readonly estimatedWrite: number;
  /** e.g. `W: jobs 1, jobs/jobs-by-name 1 · R: jobs 1`, units per run per table and index. */
  readonly breakdown: string;
  /** e.g. `GetItem×1, PutItem×1`, requests per run. */
  readonly requests: string;
}

export function summarize(samples: readonly Consumption[]): PathSummary {
  const targets = new Map<string, { read: number; write: number; estimatedWrite: number }>();
  const requests = new Map<string, number>();
  for (const consumption of samples) {
    for (const [target, value] of consumption.targets) {
      const sum = targets.get(target) ?? { read: 0, write: 0, estimatedWrite: 0 };
      sum.read += value.read;
      sum.write += value.write;
      sum.estimatedWrite += value.estimatedWrite;
      targets.set(target, sum);
    }
    for (const [name, n] of consumption.requests) requests.set(name, (requests.get(name) ?? 0) + n);
  }
  const n = samples.length;
  const part = (kind: 'read' | 'write') =>
    [...targets]
      .filter(([, value]) => value[kind] > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([target, value]) => {
        const estimated = kind === 'write' && value.estimatedWrite > 0;
        return `${target} ${units(value[kind] / n)}${estimated ? ` (${units(value.estimatedWrite / n)} est.)` : ''}`;
      })
      .join(', ');
  return {
    write: average(samples.map((sample) => sample.write)),
    read: average(samples.map((sample) => sample.read)),
    estimatedWrite: average(samples.map((sample) => sample.estimatedWrite)),
    breakdown: `W: ${part('write') || '-'} · R: ${part('read') || '-'}`,
    requests: [...requests].map(([name, count]) => `${name}×${units(count / n)}`).join(', '),
  };
}

/** Whole units as they are, averages to two decimals. */
export function units(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
