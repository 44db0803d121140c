/**
 * `tickwork completion bash|zsh|fish` loaded by the real shells (bash, Debian's zsh and fish; .ci/run
 * installs the last two when missing): each script loads without a word on stderr, registers itself for
 * `tickwork`, and completes a command, a subcommand, a flag, a flag's value and job names.
 *
 * How each shell is asked, without a terminal:
 * - bash: `complete -p tickwork`, then the registered function under COMP_WORDS/COMP_CWORD.
 * - zsh (`zsh -f`, no user configuration): the script registers `_bash_complete -F _tickwork` in
 *   `$_comps`; zsh's own `compgen -F` (bashcompinit) runs the function as `_bash_complete` does, and
 *   its candidates are matched against the word as zsh's compadd matches them (by prefix).
 * - fish (`--no-config`): `complete -C "<command line>"`, fish's own answer.
 * Job names come from `tickwork jobs list --all --output jsonl`; a `tickwork` on PATH that prints two
 * such lines stands in for the CLI there, so these tests need no running stack.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const exec = promisify(execFile);

let dir: string;
const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-shells-'));
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const generated = await runCli(['completion', shell]);
    expect(generated.code, generated.stderr).toBe(0);
    scripts[shell] = join(dir, `tickwork.${shell}`);
    await writeFile(scripts[shell], generated.stdout);
  }
  const bin = join(dir, 'bin');
  await exec('mkdir', [bin]);
  const stand_in = join(bin, 'tickwork');
  await writeFile(
    stand_in,
    `#!/bin/sh\nprintf '%s\\n' '{"name":"nightly","kind":"prompt"}' '{"name":"hourly","kind":"sync"}'\n`,
  );
  await chmod(stand_in, 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

async function shell(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(command, [...args], { env, cwd: dir });
}

/** What each shell offers for `words` (the last one under the cursor), and what it printed on stderr. */
const ask: Record<
  'bash' | 'zsh' | 'fish',
  (words: readonly string[]) => Promise<{ offered: string[]; stderr: string }>
> = {
  async bash(words) {
    const { stdout, stderr } = await shell('bash', [
      '-c',
      `source ${quoted(scripts.bash)}; COMP_WORDS=(${words.map(quoted).join(' ')}); COMP_CWORD=${words.length - 1}; ` +
        `COMP_LINE=${quoted(words.join(' '))}; COMP_POINT=\${#COMP_LINE}; _tickwork; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ]);
    return { offered: lines(stdout), stderr };
  },
  async zsh(words) {
    const current = words.at(-1) ?? '';
    const { stdout, stderr } = await shell('zsh', [
      '-f',
      '-c',
      `source ${quoted(scripts.zsh)} || exit 1; COMP_WORDS=(${words.map(quoted).join(' ')}); ` +
        `COMP_CWORD=${words.length - 1}; COMP_LINE=${quoted(words.join(' '))}; ` +
        `compgen -o default -F _tickwork -- ${quoted(current)}`,
    ]);
    return { offered: lines(stdout).filter((candidate) => candidate.startsWith(current)), stderr };
  },
  async fish(words) {
    const { stdout, stderr } = await shell('fish', [
      '--no-config',
      '-c',
      `source ${quoted(scripts.fish)}; complete -C ${quoted(words.join(' '))}`,
    ]);
    return { offered: lines(stdout).map((line) => line.split('\t')[0] ?? ''), stderr };
  },
};

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe.each(['bash', 'zsh', 'fish'] as const)('tickwork completion %s in the real shell', (name) => {
  it('Given the script, When the shell loads it, Then it registers for tickwork without a word on stderr', async () => {
    const check = {
      bash: ['bash', ['-c', `source ${quoted(scripts.bash)} && complete -p tickwork`]],
      zsh: ['zsh', ['-f', '-c', `source ${quoted(scripts.zsh)} && print -r -- "$_comps[tickwork]"`]],
      fish: ['fish', ['--no-config', '-c', `source ${quoted(scripts.fish)}; and complete -c tickwork`]],
    } as const;
    const [command, args] = check[name];

    const { stdout, stderr } = await shell(command, args);

    expect(stderr).toBe('');
    const registered = {
      bash: 'complete -o default -F _tickwork tickwork',
      zsh: '_bash_complete -o default -F _tickwork',
      // fish prints back every `complete` line it holds for the command, in its own order of options.
      fish: 'complete --no-files tickwork',
    }[name];
    const line = lines(stdout).find((each) => each.startsWith(registered));
    expect(line).toBeDefined();
    if (name === 'fish') expect(line).toMatch(/-a \w+ -n '__tickwork_on exact'$/);
  });

  it.each<[string, string[], string[]]>([
    ['a command name', ['tickwork', 'jo'], ['jobs']],
    ['a subcommand', ['tickwork', 'jobs', 'pa'], ['pause']],
    ['a flag', ['tickwork', 'runs', '--fol'], ['--follow']],
    ['a flag after a flag and its value', ['tickwork', 'runs', '--job', 'x', '--int'], ['--interval']],
    ['a flag of a subcommand', ['tickwork', 'jobs', 'pause', '--no'], ['--note']],
    ["a flag's value", ['tickwork', 'status', '--output', 'w'], ['wide']],
    ['a run status', ['tickwork', 'runs', '--status', 'fa'], ['failed']],
    ['job names', ['tickwork', 'jobs', 'pause', ''], ['nightly', 'hourly']],
    ['a job name by its start', ['tickwork', 'runs', '--job', 'ni'], ['nightly']],
  ])(
    'Given %s being typed, When completed, Then the shell offers exactly that',
    async (_, words, expected) => {
      const { offered, stderr } = await ask[name](words);

      expect(stderr).toBe('');
      expect([...offered].sort()).toEqual([...expected].sort());
    },
  );
});
