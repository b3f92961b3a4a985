// `sluice completion bash|zsh|fish`, run by the real shells: bash calls the function the way
// readline does, fish answers `complete -C`, and zsh runs interactively in tmux and shows its
// menu (zsh's completion system only works in an interactive shell). Each script must also know
// every option, every stage and every help topic, so a new one cannot be forgotten.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionTable } from '../../src/cli/options.js';
import { operatorList } from '../../src/operators/index.js';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin', 'sluice');
const has = (cmd: string) => !spawnSync(cmd, ['--version']).error;
const script = (shell: string) => execFileSync(process.execPath, [BIN, 'completion', shell], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('completion scripts know every option and stage', () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    it(shell, () => {
      const s = script(shell);
      for (const o of optionTable) {
        const long = /--([\w-]+)/.exec(o.flags)?.[1];
        if (long) expect(s, `--${long}`).toMatch(new RegExp(shell === 'fish' ? `-l ${long}\\b` : `--${long}\\b`));
        for (const c of o.choices ?? []) expect(s, `${o.flags}: ${c}`).toContain(c);
      }
      for (const op of operatorList) expect(s).toMatch(new RegExp(`\\b${op.name}\\b`));
    });
  }

  it('an unknown shell is a usage error', () => {
    const r = spawnSync(process.execPath, [BIN, 'completion', 'tcsh'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("sluice: completion for which shell? sluice completion bash|zsh|fish (not 'tcsh')\n");
  });
});

describe('bash', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-compl-')), 'sluice.bash');
  writeFileSync(file, script('bash'));
  /** what bash offers for the command line `words` (the last one being completed) */
  const offer = (...words: string[]) => execFileSync('bash', ['-c',
    `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sluice; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ], { encoding: 'utf8', cwd: ROOT }).split('\n').filter((l) => l !== '');

  it('option values, options, stages, help topics and kafka subcommands', () => {
    expect(offer('sluice', '--on-error', '')).toEqual(['fail', 'skip', 'warn']);
    expect(offer('sluice', '-O', 't')).toEqual(['tsv', 'table', 'template']);
    expect(offer('sluice', '--exa')).toEqual(['--exactly-once']);
    expect(offer('sluice', 'whe')).toEqual(['where']);
    expect(offer('sluice', 'where', 'x > 1', 'then', 'he')).toEqual(['head']);
    expect(offer('sluice', 'help', 'stat')).toEqual(['state']);
    expect(offer('sluice', 'kafka', '')).toEqual(['topics', 'describe', 'groups', 'create', 'delete', 'lag']);
    expect(offer('sluice', 'completion', 'f')).toEqual(['fish']);
    expect(offer('sluice', '--tz', '')).toEqual([]);
    expect(offer('sluice', '--to', 'fixtures/ev')).toEqual(['fixtures/events.ndjson']);
    expect(offer('sluice', 'sch')).toEqual(['schema']);
    expect(offer('sluice', '--schema', 'fixtures/ord')).toEqual(['fixtures/orders.csv']);
    expect(offer('sluice', '--rep')).toEqual(['--report']);
  });
});

describe.skipIf(!has('fish'))('fish [skipped: fish is not installed (apt-get install fish)]', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-compl-')), 'sluice.fish');
  writeFileSync(file, script('fish'));
  const offer = (line: string) => execFileSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8', cwd: ROOT })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]);

  it('option values, options, stages, help topics and kafka subcommands', () => {
    expect(offer('sluice --on-error ')).toEqual(['fail', 'skip', 'warn']);
    expect(offer('sluice --exa')).toEqual(['--exactly-once']);
    expect(offer('sluice help stat')).toEqual(['state']);
    expect(offer('sluice kafka ').sort()).toEqual(['create', 'delete', 'describe', 'groups', 'lag', 'topics']);
    expect(offer('sluice where x then he')).toEqual(['head']);
  });
});

describe.skipIf(!has('zsh') || !has('tmux'))('zsh, in a terminal [skipped: zsh or tmux is not installed (apt-get install zsh tmux)]', () => {
  it('shows the values of an option and completes a stage and a help topic', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sluice-zsh-'));
    writeFileSync(join(home, '.zshrc'), [
      "PS1='%% '",
      'autoload -U compinit; compinit -u',
      `sluice() { ${process.execPath} ${BIN} "$@"; }`,
      `eval "$(${process.execPath} ${BIN} completion zsh)"`,
      '',
    ].join('\n'));
    const session = `sluice-zsh-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
    /** type `line` and Tab in a fresh shell; what the screen shows once `want` is on it */
    const typed = async (line: string, want: RegExp): Promise<string> => {
      tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '20', `env ZDOTDIR=${home} HOME=${home} zsh -i`);
      try {
        let screen = '';
        for (let i = 0; i < 50 && !/^%\s*$/m.test(screen); i++) { await sleep(100); screen = tmux('capture-pane', '-p', '-t', session); }
        tmux('send-keys', '-t', session, line, 'Tab');
        for (let i = 0; i < 50 && !want.test(screen); i++) { await sleep(100); screen = tmux('capture-pane', '-p', '-t', session); }
        return screen;
      } finally {
        tmux('kill-session', '-t', session);
      }
    };
    expect(await typed('sluice --on-error ', /fail\s+skip\s+warn/)).toMatch(/fail\s+skip\s+warn/);
    expect(await typed('sluice help stat', /help state/)).toMatch(/% sluice help state/);
    expect(await typed('sluice where x then hea', /then head/)).toMatch(/then head/);
  }, 30_000);
});
