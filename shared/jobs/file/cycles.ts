/**
 * Chains within a jobs file: a `then` link from one job of the file to another that leads back to it is
 * a cycle the API would refuse when the second of them is written; found here, before anything is.
 * Links to jobs outside the file are the API's to check (it knows the stored jobs).
 */
import type { Problem } from '../../errors.ts';
import { chainLinks } from '../chains.ts';
import type { JobDefinition } from '../validation.ts';
import type { FileJob } from './load.ts';

/** A problem per link of the file that closes a cycle (`a → b → a`), with the job it belongs to. */
export function fileCycleProblems(
  jobs: readonly FileJob[],
  definitions: readonly JobDefinition[],
): { job: FileJob; problem: Problem }[] {
  const graph = new Map(
    definitions.map((definition) => [
      definition.name,
      [...new Set(chainLinks(definition.then).map((link) => link.target))],
    ]),
  );
  const found: { job: FileJob; problem: Problem }[] = [];
  definitions.forEach((definition, index) => {
    const job = jobs[index];
    if (job === undefined) return;
    for (const { field, target } of chainLinks(definition.then)) {
      if (!graph.has(target)) continue;
      const path = pathBetween(graph, target, definition.name);
      if (path === undefined) continue;
      found.push({
        job,
        problem: {
          field,
          message: `${field} would form a cycle: ${[definition.name, ...path].join(' → ')}; a chain must not lead back to its job`,
        },
      });
    }
  });
  return found;
}

/** The shortest path of links from `from` to `to` in the file (both included), breadth first. */
function pathBetween(graph: ReadonlyMap<string, string[]>, from: string, to: string): string[] | undefined {
  if (from === to) return [from];
  const previous = new Map<string, string>();
  const seen = new Set([from]);
  let level = [from];
  while (level.length > 0) {
    const next: string[] = [];
    for (const name of level) {
      for (const target of graph.get(name) ?? []) {
        if (seen.has(target)) continue;
        seen.add(target);
        previous.set(target, name);
        if (target === to) {
          const path = [to];
          for (let at = previous.get(to); at !== undefined; at = previous.get(at)) path.unshift(at);
          return path;
        }
        next.push(target);
      }
    }
    level = next;
  }
  return undefined;
}
