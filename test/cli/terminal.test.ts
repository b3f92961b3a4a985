// Issue #11 item 4: a terminal that shows work. bin/sluice runs in a real terminal (tmux, on a
// server of its own: -L with this process's id) and the screen is read with capture-pane, and
// the raw bytes with pipe-pane. Every wait polls the screen until what is expected is there,
// with a generous deadline: the machine may be loaded. Needs a build (dist/), like the golden cases.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');
const WAIT = 60_000;
const SOCKET = `sluice-term-${process.pid}`;

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'sluice-term-'));
let sessions = 0;

afterAll(() => {
  // the server on this test's own socket, which only these tests use
  try { tmux('kill-server'); } catch { /* none was started */ }
  rmSync(dir, { recursive: true, force: true });
});

interface Term {
  screen(): string;
  /** the bytes the program wrote to the terminal so far */
  raw(): string;
  until(what: string, ok: (screen: string) => boolean): Promise<string>;
  keys(...keys: string[]): void;
}

/**
 * Run `command` (bash, from the repo root) in a fresh terminal of `width` × `height`; the raw
 * output is recorded from its first byte (the command waits until the recording runs).
 */
function terminal(command: string, width = 100, height = 20): Term {
  const name = `t${++sessions}`;
  const go = join(dir, `${name}.go`);
  const rawFile = join(dir, `${name}.raw`);
  writeFileSync(rawFile, '');
  // the shell itself lives on after a Ctrl-C (trap), to say how sluice ended
  const script = `trap : INT; unset NO_COLOR FORCE_COLOR; cd ${ROOT}; while [ ! -e ${go} ]; do sleep 0.05; done; ${command}; echo "[exit $?]"; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), 'bash', '-c', script);
  tmux('pipe-pane', '-o', '-t', name, `cat >> ${rawFile}`);
  writeFileSync(go, '');
  const screen = () => tmux('capture-pane', '-p', '-t', name);
  return {
    screen,
    raw: () => readFileSync(rawFile, 'latin1'),
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
    async until(what, ok) {
      const deadline = Date.now() + WAIT;
      for (;;) {
        const s = screen();
        if (ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

const lines = (screen: string) => screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
const count = (text: string, word: RegExp) => (text.match(word) ?? []).length;

/** A file of `copies` × fixtures/events.ndjson (60 records, 7.9 kB each). */
function bigFile(copies: number): string {
  const path = join(dir, `events-${copies}.ndjson`);
  if (!existsSync(path)) writeFileSync(path, readFileSync(join(ROOT, 'fixtures', 'events.ndjson'), 'utf8').repeat(copies));
  return path;
}

// fixtures/events.ndjson in two parts, fed to a pipe one after the other
const events = readFileSync(join(ROOT, 'fixtures', 'events.ndjson'), 'utf8').split('\n');
writeFileSync(join(dir, 'a.ndjson'), events.slice(0, 20).join('\n') + '\n');
writeFileSync(join(dir, 'b.ndjson'), events.slice(20).join('\n'));

describe.skipIf(!has('tmux'))('in a terminal [skipped: tmux is not installed (apt-get install tmux)]', () => {
  it('a progress line on stderr while a file is read (bytes, records, rate), erased at the end', async () => {
    // stdout is a pipe that reads nothing until the progress line is seen: sluice waits on it
    const file = bigFile(300);
    const flag = join(dir, 'progress-seen');
    const t = terminal(`${BIN} 'where true' ${file} | (while [ ! -e ${flag} ]; do sleep 0.05; done; wc -l)`);
    const shown = await t.until('the progress line', (s) => /^sluice: [\d.]+ [kM]?B of 2\.4 MB \(\d+%\), \d+ records, [\d.]+ [kM]?B\/s/m.test(s));
    expect(count(shown, /sluice:/g)).toBe(1);
    writeFileSync(flag, '');
    const end = await t.until('the end', (s) => s.includes('[exit 0]'));
    // the line is gone: the screen holds the line count and the exit status only
    expect(lines(end)).toEqual(['18000', '[exit 0]']);
    const raw = t.raw();
    expect(raw).toMatch(/\r\x1b\[Ksluice: .* records.*\r\x1b\[K18000/s);
  }, 150_000);

  // (that a quick run shows nothing is tested on StatusLine with fake timers: on a loaded machine a
  // 60-record run may well take half a second)
  it('no progress line under NO_COLOR, or when stderr is not the terminal', async () => {
    const file = bigFile(300);
    const noColor = terminal(`NO_COLOR=1 ${BIN} 'where true' ${file} | (sleep 2; wc -l)`);
    const piped = terminal(`${BIN} 'where true' ${file} 2>&1 | (sleep 2; grep -c records)`);
    await noColor.until('the end', (s) => s.includes('[exit 0]'));
    const p = await piped.until('the end', (s) => s.includes('[exit 1]'));
    expect(lines(p)).toEqual(['0', '[exit 1]']); // grep found no "records" on stderr
    expect(noColor.raw()).not.toContain('sluice:');
  }, 150_000);

  it('a live table for an aggregate over an open pipe: redrawn in place, the final one left on screen', async () => {
    const wait = (flag: string) => `while [ ! -e ${join(dir, flag)} ]; do sleep 0.05; done`;
    const t = terminal(`(cat ${dir}/a.ndjson; ${wait('more')}; cat ${dir}/b.ndjson; ${wait('end')}) | ${BIN} 'count(), avg(latency_ms) as avg_ms by service'`);
    const first = await t.until('the table of the first 20 records', (s) => /^search +7 +32\.53$/m.test(s));
    expect(lines(first)).toEqual(['service   count  avg_ms', 'search        7   32.53', 'checkout      5   70.26', 'auth          5   60.26', 'catalog       3   18.7']);
    writeFileSync(join(dir, 'more'), '');
    const second = await t.until('the table of all 60', (s) => /^search +16 +68\.01$/m.test(s));
    expect(count(second, /service/g)).toBe(1); // drawn over the first, not below it
    expect(second).not.toContain('[exit');
    writeFileSync(join(dir, 'end'), '');
    const end = await t.until('the end', (s) => s.includes('[exit 0]'));
    expect(lines(end)).toEqual([
      'service   count  avg_ms', 'search       16   68.01', 'checkout     12   61.04', 'auth         17   43.34', 'catalog      15   61.63', '[exit 0]',
    ]);
  }, 150_000);

  it('Ctrl-C under a live table: the message stays on screen, then the table marked "final": false', async () => {
    const t = terminal(`tail -n +1 -f fixtures/events.ndjson | ${BIN} 'count(), p95(latency_ms) by service'`);
    await t.until('the live table', (s) => /^catalog +15 +317\.6$/m.test(s));
    t.keys('C-c');
    const end = await t.until('the end', (s) => s.includes('[exit 130]'));
    const shown = lines(end).filter((l) => l !== '^C');
    expect(shown).toEqual([
      'sluice: interrupted: 4 results of the input read so far written with "final": false',
      'service   count  p95_latency_ms  final',
      'search       16           235.2  false',
      'checkout     12           149.6  false',
      'auth         17           162.4  false',
      'catalog      15           317.6  false',
      '[exit 130]',
    ]);
  }, 150_000);

  it('windows over an open pipe: the open windows as counted so far, below the results written, under one header', async () => {
    const wait = (flag: string) => `while [ ! -e ${join(dir, flag)} ]; do sleep 0.05; done`;
    const t = terminal(`(cat ${dir}/a.ndjson; ${wait('w-more')}; cat ${dir}/b.ndjson; ${wait('w-end')}) | ${BIN} 'window tumbling 30s on ts | count() by service'`, 100, 30);
    const window = (from: string, to: string, service: string, n: number) => new RegExp(`^2024-05-01T12:${from}\\.000Z +2024-05-01T12:${to}\\.000Z +${service} +${n}$`, 'm');
    // the first 20 records are all in the first window, still open
    const open = await t.until('the open first window', (s) => window('00:00', '00:30', 'catalog', 3).test(s));
    expect(lines(open)).toHaveLength(1 + 4);
    writeFileSync(join(dir, 'w-more'), '');
    // the rest closes the first two windows and leaves the third open
    const live = await t.until('two windows written and the third open', (s) => window('01:00', '01:30', 'catalog', 3).test(s));
    expect(count(live, /window_start/g)).toBe(1);
    expect(lines(live)).toHaveLength(1 + 12);
    expect(live).toMatch(window('00:00', '00:30', 'catalog', 4));
    expect(live).not.toContain('[exit');
    writeFileSync(join(dir, 'w-end'), '');
    const end = await t.until('the end', (s) => s.includes('[exit 0]'));
    expect(count(end, /window_start/g)).toBe(1);
    expect(lines(end)).toEqual(lines(live).concat('[exit 0]'));
  }, 150_000);

  it('-O chart fits the terminal: the longest bar ends at its last column', async () => {
    const t = terminal(`${BIN} -O chart 'count() by service' fixtures/events.ndjson`, 50, 12);
    const end = await t.until('the chart', (s) => s.includes('[exit 0]'));
    const rows = lines(end);
    expect(rows[0]).toBe('          count');
    expect(rows[3]).toBe(`auth         17  ${'█'.repeat(50 - 17)}`);
    for (const r of rows) expect([...r].length).toBeLessThanOrEqual(50);
  }, 150_000);
});
