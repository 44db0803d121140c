/**
 * Layers enforced, not hoped for (STYLE.md; get-a-room keeps the same rules in dependency-cruiser): every
 * import under shared/, functions/, local/, cli/, infra/ and bin/ obeys the rules of test/support/layers.ts,
 * and no value imports form a cycle. The checker is first run on a small fixture tree, so a pass on the
 * repository means "no violation", not "a checker that finds nothing".
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchitectureReport, checkArchitecture, findCycles, LAYER_RULES } from '../../support/layers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Holds every fixture tree of this file; removed after the last test. */
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tickwork-layers-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Writes `files` (path → text) into a new folder and returns the checker's report on it. */
async function checkTree(files: Readonly<Record<string, string>>): Promise<ArchitectureReport> {
  const root = await mkdtemp(join(scratch, 'tree-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return checkArchitecture(root);
}

describe('the checker on a fixture tree', () => {
  let report: ArchitectureReport;

  beforeAll(async () => {
    // Given a tree with one forbidden import (shared/ → local/), one value cycle (cli/a → cli/b → cli/a),
    // and imports that look alike but are allowed: a type-only cycle, the CDK in infra/, shared/ from anywhere.
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ imports: { '#shared/*': './shared/*' } }),
      'shared/model.ts': "import { start } from '../local/runtime.ts';\nexport const model = start;",
      'shared/types.ts': "import type { Other } from './other.ts';\nexport type Model = Other;",
      'shared/other.ts': "import type { Model } from './types.ts';\nexport type Other = Model | string;",
      'local/runtime.ts':
        "import type { Model } from '#shared/types.ts';\nexport const start = (m: Model) => m;",
      'functions/prompt/handler.ts':
        "import { model } from '../../shared/model.ts';\nexport const handler = model;",
      'cli/a.ts':
        "import { b } from './b.ts';\nimport { start } from '../local/runtime.ts';\nexport const a = b;",
      'cli/b.ts': "export const b = async () => (await import('./a.ts')).a;",
      'infra/stack.ts': "import { Stack } from 'aws-cdk-lib';\nimport { model } from '../shared/model.ts';",
      'bin/tickwork.js': "const { a } = await import('../cli/a.ts');",
    };
    // When
    report = await checkTree(files);
  });

  it('Then it reads every source of the layers', () => {
    expect(report.files).toHaveLength(9);
  });

  it('Then it reports exactly the forbidden import, naming the file, the module and the rule', () => {
    expect(report.violations).toEqual([
      'shared/model.ts:1 imports local/runtime.ts — rule shared-stands-alone: ' +
        'shared/ imports nothing from functions/, local/, client/, cli/, infra/, cdk/',
    ]);
  });

  it('Then it reports exactly the value cycle as a path, and not the type-only one', () => {
    expect(report.cycles).toEqual(['import cycle: cli/a.ts → cli/b.ts → cli/a.ts']);
  });
});

describe('each rule', () => {
  it.each<[string, string, string, string]>([
    [
      'shared-stands-alone',
      'shared/a.ts',
      "import { f } from '../functions/api/handler.ts';",
      'functions/api/handler.ts',
    ],
    ['shared-stands-alone', 'shared/a.ts', "import type { Cli } from '../cli/main.ts';", 'cli/main.ts'],
    ['shared-stands-alone', 'shared/a.ts', "export * from '../infra/app.ts';", 'infra/app.ts'],
    [
      'functions-use-shared-only',
      'functions/api/handler.ts',
      "import '../../local/runtime.ts';",
      'local/runtime.ts',
    ],
    [
      'functions-use-shared-only',
      'functions/api/handler.ts',
      "await import('../../cli/main.ts');",
      'cli/main.ts',
    ],
    [
      'functions-use-shared-only',
      'functions/api/handler.ts',
      "import { X } from '../../infra/app.ts';",
      'infra/app.ts',
    ],
    ['local-is-a-library', 'local/runtime.ts', "import { main } from '../cli/main.ts';", 'cli/main.ts'],
    [
      'client-stands-on-shared',
      'client/index.ts',
      "import { startLocalStack } from '../local/runtime.ts';",
      'local/runtime.ts',
    ],
    [
      'client-stands-on-shared',
      'client/index.ts',
      "import type { Cli } from '../cli/main.ts';",
      'cli/main.ts',
    ],
    ['local-is-a-library', 'local/runtime.ts', "import type { S } from '../infra/app.ts';", 'infra/app.ts'],
    [
      'infra-reads-shared-facts',
      'infra/app.ts',
      "import { handler } from '../functions/api/handler.ts';",
      'functions/api/handler.ts',
    ],
    [
      'infra-reads-shared-facts',
      'infra/app.ts',
      "import { LOCAL_STAGE } from '../local/runtime.ts';",
      'local/runtime.ts',
    ],
    ['infra-reads-shared-facts', 'infra/app.ts', "import { main } from '../cli/main.ts';", 'cli/main.ts'],
    [
      'runtime-without-cdk',
      'shared/a.ts',
      "import type { ITable } from 'aws-cdk-lib/aws-dynamodb';",
      'aws-cdk-lib',
    ],
    [
      'runtime-without-cdk',
      'functions/api/handler.ts',
      "import { Construct } from 'constructs';",
      'constructs',
    ],
    ['runtime-without-cdk', 'local/runtime.ts', "const cdk = await import('aws-cdk-lib');", 'aws-cdk-lib'],
    ['runtime-without-cdk', 'cli/main.ts', "import { NagSuppressions } from 'cdk-nag';", 'cdk-nag'],
    ['runtime-without-cdk', 'bin/tickwork.js', "const cdk = require('aws-cdk-lib');", 'aws-cdk-lib'],
  ])(
    'Given a rule %s and %s with `%s`, Then it is reported with %s',
    async (rule, file, source, imported) => {
      // Given a tree that holds only this file, When it is checked
      const { violations } = await checkTree({ [file]: source });
      // Then
      expect(violations).toHaveLength(1);
      expect(violations[0]).toContain(`${file}:1 `);
      expect(violations[0]).toContain(` ${imported} — rule ${rule}: `);
    },
  );

  it.each<[string, string, string]>([
    ['infra/ using the CDK', 'infra/app.ts', "import { App } from 'aws-cdk-lib';"],
    [
      'the CLI using local/ as a library',
      'cli/main.ts',
      "import { startLocalStack } from '../local/runtime.ts';",
    ],
    ['a package that only starts like the CDK', 'shared/a.ts', "import { x } from 'aws-cdk-lib-extras';"],
    ['a forbidden import in a comment', 'shared/a.ts', "// never: import { main } from '../cli/main.ts';"],
    [
      'a forbidden module named in a string',
      'local/a.ts',
      "const hint = 'see aws-cdk-lib and ../infra/app.ts';",
    ],
  ])('Given %s, Then nothing is reported', async (_case, file, source) => {
    expect((await checkTree({ [file]: source })).violations).toEqual([]);
  });

  it('Given the rule table, Then every rule has a distinct id and says what it forbids', () => {
    expect(new Set(LAYER_RULES.map((rule) => rule.id)).size).toBe(LAYER_RULES.length);
    for (const rule of LAYER_RULES) {
      expect((rule.forbiddenLayers?.length ?? 0) + (rule.forbiddenPackages?.length ?? 0)).toBeGreaterThan(0);
    }
  });
});

describe('findCycles', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['no cycle', { a: ['b'], b: ['c'], c: [] }, []],
    ['a self-import', { a: ['a'] }, [['a', 'a']]],
    ['two files', { a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
    ['a long cycle, reported from its first file', { c: ['a'], a: ['b'], b: ['c'] }, [['a', 'b', 'c', 'a']]],
    [
      'two separate cycles',
      { a: ['b'], b: ['a'], x: ['y'], y: ['x'] },
      [
        ['a', 'b', 'a'],
        ['x', 'y', 'x'],
      ],
    ],
    ['a tangle, reported by its shortest cycle', { a: ['b', 'c'], b: ['c'], c: ['a'] }, [['a', 'c', 'a']]],
  ])('Given %s, Then it reports %j', (_case, graph, expected) => {
    expect(findCycles(new Map(Object.entries(graph)))).toEqual(expected);
  });
});

describe('the repository', () => {
  let report: ArchitectureReport;

  beforeAll(() => {
    report = checkArchitecture(ROOT);
  });

  it('Then the checker reads the sources of every layer', () => {
    for (const file of [
      'shared/functions.ts',
      'functions/prompt/handler.ts',
      'local/runtime.ts',
      'cli/main.ts',
      'infra/tickwork-function.ts',
      'bin/tickwork.js',
    ]) {
      expect(report.files).toContain(file);
    }
    expect(report.edges.some((edge) => edge.typeOnly)).toBe(true);
    expect(report.edges.some((edge) => edge.form === 'dynamic')).toBe(true);
  });

  it('Then no import breaks a layer rule', () => {
    expect(report.violations).toEqual([]);
  });

  it('Then no value imports form a cycle', () => {
    expect(report.cycles).toEqual([]);
  });
});
