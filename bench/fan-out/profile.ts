/**
 * Where a side's time goes, read from the run records themselves (no instrumentation in the code under
 * test): the time before the first run started, each run's own duration, the gap between one run's end
 * and the next run of the same lane (fan-out: child i and child i+concurrency; manual: one worker's
 * consecutive runs), and how far apart the lanes ended.
 */
import { median } from '../support/stats.ts';

export interface RecordedRun {
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface SideProfile {
  /** Start of the side to the first run's start: expansion, claims and the first invokes, or the first triggers. */
  readonly firstStartMs: number;
  /** Median of each run's startedAt → finishedAt. */
  readonly runMs: number;
  /** Median of a lane's previous run's finishedAt → its next run's startedAt. */
  readonly gapMs: number;
  /** Last lane's end minus first lane's end. */
  readonly laneSpreadMs: number;
}

/** `lanes`: each lane's runs in the order they ran. */
export function profileSide(started: number, lanes: ReadonlyArray<readonly RecordedRun[]>): SideProfile {
  const runs = lanes.flat();
  const at = (value: string) => Date.parse(value);
  const gaps: number[] = [];
  for (const lane of lanes) {
    for (let index = 1; index < lane.length; index++) {
      gaps.push(at((lane[index] as RecordedRun).startedAt) - at((lane[index - 1] as RecordedRun).finishedAt));
    }
  }
  const laneEnds = lanes
    .filter((lane) => lane.length > 0)
    .map((lane) => Math.max(...lane.map((run) => at(run.finishedAt))));
  return {
    firstStartMs: Math.min(...runs.map((run) => at(run.startedAt))) - started,
    runMs: median(runs.map((run) => at(run.finishedAt) - at(run.startedAt))),
    gapMs: median(gaps),
    laneSpreadMs: Math.max(...laneEnds) - Math.min(...laneEnds),
  };
}

/** A fan-out's children in lanes: child i runs in lane i mod concurrency, after child i-concurrency. */
export function childLanes<Child extends RecordedRun & { readonly context: { readonly key: string } }>(
  children: readonly Child[],
  keys: readonly string[],
  concurrency: number,
): Child[][] {
  const byKey = new Map(children.map((child) => [child.context.key, child]));
  const lanes: Child[][] = Array.from({ length: concurrency }, () => []);
  keys.forEach((key, index) => {
    const child = byKey.get(key);
    if (child !== undefined) lanes[index % concurrency]?.push(child);
  });
  return lanes;
}

export function describeProfile(profile: SideProfile): string {
  return `first run started after ${profile.firstStartMs} ms, run ${profile.runMs.toFixed(0)} ms, gap ${profile.gapMs.toFixed(0)} ms, lanes ended ${profile.laneSpreadMs} ms apart`;
}
