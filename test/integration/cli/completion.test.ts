/**
 * `tickwork completion`: the bash script is valid (`bash -n`) and completes command names, subcommands,
 * options and option values in a real bash under COMP_WORDS/COMP_CWORD, as bash's completion calls it.
 * The zsh and fish scripts are generated from the same specs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const exec = promisify(execFile);

let dir: string;
let script: string;
let bash: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-completion-'));
  const generated = await runCli(['completion', 'bash']);
  expect(generated.code, generated.stderr).toBe(0);
  bash = generated.stdout;
  script = join(dir, 'tickwork.bash');
  await writeFile(script, bash);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What bash's completion offers for `words`, the last being the word under the cursor. */
async function complete(words: readonly string[]): Promise<string[]> {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const { stdout } = await exec('bash', [
    '-c',
    `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _tickwork; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return stdout.split('\n').filter((line) => line !== '');
}

describe('tickwork completion bash', () => {
  it('Given the generated script, When bash checks it, Then it is valid', async () => {
    await expect(exec('bash', ['-n', script])).resolves.toBeDefined();
    expect(bash).toContain('complete -o default -F _tickwork tickwork');
  });

  it.each<[string, string[], string[]]>([
    ['a command name', ['tickwork', 'jo'], ['jobs']],
    ['the commands', ['tickwork', 'st'], ['status']],
    ['a subcommand', ['tickwork', 'jobs', 'pa'], ['pause']],
    ['an option', ['tickwork', 'runs', '--fol'], ['--follow']],
    ['an option of a subcommand', ['tickwork', 'jobs', 'pause', '--no'], ['--note']],
    ['an option after other options', ['tickwork', 'runs', '--job', 'x', '--int'], ['--interval']],
    ['a value from the placeholder choices', ['tickwork', 'status', '--output', 'w'], ['wide']],
    ['a run status', ['tickwork', 'runs', '--status', 'fa'], ['failed']],
    ['a kind', ['tickwork', 'jobs', 'list', '--kind', 'pro'], ['prompt']],
    ['a shell', ['tickwork', 'completion', '--h'], ['--help']],
  ])('Given %s being typed, When completed, Then bash offers it', async (_, words, expected) => {
    expect(await complete(words)).toEqual(expected);
  });

  it('Given a new command line, When completed, Then every command is offered, completion included', async () => {
    const offered = await complete(['tickwork', '']);
    expect(offered).toEqual(
      expect.arrayContaining(['jobs', 'runs', 'status', 'local', 'preview', 'completion']),
    );
  });
});

describe('tickwork completion zsh and fish', () => {
  it('Given zsh, When generated, Then it loads the bash completion through bashcompinit', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef tickwork\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('_tickwork()');
  });

  it('Given fish, When generated, Then it has complete lines for commands, options and values', async () => {
    const fish = await runCli(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c tickwork -n '__tickwork_on exact' -f -a jobs");
    expect(fish.stdout).toContain("complete -c tickwork -n '__tickwork_on prefix runs' -l follow");
    expect(fish.stdout).toContain("-l output -x -a 'table wide json jsonl'");
  });

  it('Given an unknown shell, When run, Then a usage error exits 2', async () => {
    const answer = await runCli(['completion', 'tcsh']);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain('<shell> must be one of bash, zsh, fish');
  });
});
