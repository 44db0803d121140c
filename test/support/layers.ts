/**
 * The import rules of the repository (docs/ARCHITECTURE.md, "Layers") and a checker that applies them to
 * a source tree: which layer may import which, that runtime code never loads the CDK, and that no value
 * imports form a cycle. It takes the root as an argument so a test can run it on a small fixture tree too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { extractImports, type ImportRecord, type ImportTarget, resolveImport } from './imports.ts';

/** The top-level folders whose sources are checked; each is one layer. */
export const LAYERS = ['shared', 'functions', 'local', 'client', 'cli', 'infra', 'cdk', 'bin'] as const;
export type Layer = (typeof LAYERS)[number];

export interface LayerRule {
  readonly id: string;
  /** What the rule says, as the failure message states it. */
  readonly says: string;
  readonly appliesTo: readonly Layer[];
  readonly forbiddenLayers?: readonly Layer[];
  readonly forbiddenPackages?: readonly string[];
}

const RUNTIME: readonly Layer[] = ['shared', 'functions', 'local', 'client', 'cli', 'bin'];

/** Type-only imports count for every rule: a type import still points the dependency the wrong way. */
export const LAYER_RULES: readonly LayerRule[] = [
  {
    id: 'shared-stands-alone',
    says: 'shared/ imports nothing from functions/, local/, client/, cli/, infra/, cdk/',
    appliesTo: ['shared'],
    forbiddenLayers: ['functions', 'local', 'client', 'cli', 'infra', 'cdk'],
  },
  {
    id: 'client-stands-on-shared',
    says: 'client/ (the typed API client a team installs) imports only shared/: never functions/, local/, cli/, infra/, cdk/',
    appliesTo: ['client'],
    forbiddenLayers: ['functions', 'local', 'cli', 'infra', 'cdk'],
  },
  {
    id: 'functions-use-shared-only',
    says: 'functions/ never imports local/, client/, cli/, infra/, cdk/',
    appliesTo: ['functions'],
    forbiddenLayers: ['local', 'client', 'cli', 'infra', 'cdk'],
  },
  {
    id: 'local-is-a-library',
    says: 'local/ never imports client/, cli/, infra/ or cdk/ (the CLI uses local/ as a library, not the reverse)',
    appliesTo: ['local'],
    forbiddenLayers: ['client', 'cli', 'infra', 'cdk'],
  },
  {
    id: 'infra-reads-shared-facts',
    says: 'infra/ never imports functions/, local/, client/, cli/ (it reads shared facts and names handler entries by path)',
    appliesTo: ['infra'],
    forbiddenLayers: ['functions', 'local', 'client', 'cli'],
  },
  {
    id: 'cdk-construct-reads-shared-facts',
    says: 'cdk/ (the Tickwork construct a team installs) never imports functions/, local/, client/, cli/; it builds on infra/ and shared/',
    appliesTo: ['cdk'],
    forbiddenLayers: ['functions', 'local', 'client', 'cli'],
  },
  {
    id: 'runtime-without-cdk',
    says: 'runtime code (shared/, functions/, local/, client/, cli/, bin/) never imports aws-cdk-lib, constructs or cdk-nag',
    appliesTo: RUNTIME,
    forbiddenPackages: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
  },
];

export interface ImportEdge extends ImportRecord {
  /** Importing file, posix, relative to the root. */
  readonly from: string;
  readonly target: ImportTarget;
}

export interface ArchitectureReport {
  /** The files checked, posix, relative to the root, sorted. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** One message per import that breaks a rule: `file:line imports module — rule id: what it says`. */
  readonly violations: readonly string[];
  /** One message per cycle of value imports: `import cycle: a.ts → b.ts → a.ts`. */
  readonly cycles: readonly string[];
}

const toPosix = (path: string) => path.split(sep).join('/');
const layerOf = (path: string): Layer | undefined => LAYERS.find((layer) => path.startsWith(`${layer}/`));

/** Every `.ts` and `.js` file under the layers' folders of `root`, posix, relative to `root`, sorted. */
export function layerSources(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(child);
      else if (entry.isFile() && /\.[tj]s$/.test(entry.name)) found.push(toPosix(relative(root, child)));
    }
  };
  for (const layer of LAYERS) if (existsSync(join(root, layer))) walk(join(root, layer));
  return found.sort();
}

function describeTarget(target: ImportTarget): string {
  return target.kind === 'file' ? target.path : target.name;
}

/** The first rule `edge` breaks, if any. */
function brokenRule(edge: ImportEdge): LayerRule | undefined {
  const layer = layerOf(edge.from);
  const { target } = edge;
  return LAYER_RULES.find((rule) => {
    if (layer === undefined || !rule.appliesTo.includes(layer)) return false;
    if (target.kind === 'file') {
      const targetLayer = layerOf(target.path);
      return targetLayer !== undefined && (rule.forbiddenLayers ?? []).includes(targetLayer);
    }
    return target.kind === 'package' && (rule.forbiddenPackages ?? []).includes(target.name);
  });
}

/**
 * One cycle per strongly connected component of `graph` (Tarjan), each as a path that starts and ends at
 * the component's first file in sort order, so the report is the same on every run.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);

  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...component].sort()[0] as string;
    const selfLoop = (graph.get(start) ?? []).includes(start);
    if (component.length === 1 && !selfLoop) continue;
    // Breadth-first inside the component from `start` back to `start`: the shortest such cycle.
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length > 0 && closing === undefined) {
      const node = queue.shift() as string;
      for (const next of [...(graph.get(node) ?? [])].sort()) {
        if (next === start) {
          closing = node;
          break;
        }
        if (members.has(next) && !cameFrom.has(next)) {
          cameFrom.set(next, node);
          queue.push(next);
        }
      }
    }
    const path = [start];
    for (let node = closing as string; node !== start; node = cameFrom.get(node) as string)
      path.splice(1, 0, node);
    cycles.push([...path, start]);
  }
  return cycles.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** Reads every source of the layers under `root`, resolves its imports and applies the rules. */
export function checkArchitecture(root: string): ArchitectureReport {
  const files = layerSources(root);
  const packageJson = join(root, 'package.json');
  const subpathImports = existsSync(packageJson)
    ? (JSON.parse(readFileSync(packageJson, 'utf8')).imports ?? {})
    : {};
  const isFile = (path: string) => existsSync(join(root, path)) && statSync(join(root, path)).isFile();

  const edges: ImportEdge[] = files.flatMap((from) =>
    extractImports(readFileSync(join(root, from), 'utf8')).map((record) => ({
      ...record,
      from,
      target: resolveImport(from, record.specifier, { isFile, subpathImports }),
    })),
  );

  const violations = edges.flatMap((edge) => {
    const rule = brokenRule(edge);
    if (rule === undefined) return [];
    const kind = edge.typeOnly ? 'type-imports' : 'imports';
    return [
      `${edge.from}:${edge.line} ${kind} ${describeTarget(edge.target)} — rule ${rule.id}: ${rule.says}`,
    ];
  });

  // Type-only imports vanish before the code runs, so they cannot take part in a load-order cycle.
  const checked = new Set(files);
  const graph = new Map<string, string[]>(files.map((file) => [file, []]));
  for (const edge of edges) {
    if (edge.typeOnly || edge.target.kind !== 'file' || !checked.has(edge.target.path)) continue;
    const targets = graph.get(edge.from) as string[];
    if (!targets.includes(edge.target.path)) targets.push(edge.target.path);
  }
  const cycles = findCycles(graph).map((cycle) => `import cycle: ${cycle.join(' → ')}`);

  return { files, edges, violations, cycles };
}
