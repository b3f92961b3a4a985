// Issue #16, item 5: an interrupt never passes partial results off as final. bin/sluice reads a
// stdin that stays open (or a followed file) and gets SIGINT, SIGTERM or SIGHUP once it has shown
// that it read the records. Without --state, results that are not final are written marked
// "final": false (aggregates, open windows) or, where records cannot be marked (sort, tail, top),
// not written; stderr says how many of each. With --state the checkpoint keeps them instead.
// Needs a build (dist/), like the golden cases.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');
const WAIT = 15_000;

type Rec = Record<string, unknown>;

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  // only the processes these tests started, by their own handles
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-interrupt-'));
  dirs.push(d);
  return d;
}

interface Ended {
  code: number | null;
  out: Rec[];
  stderr: string;
}

/**
 * Start sluice on `args`, write `input` to its stdin (kept open), wait until stderr or stdout
 * shows `ready`, then send `signal` and wait for the exit.
 */
async function interrupted(args: string[], input: Rec[], ready: (out: Rec[], stderr: string) => boolean, signal: NodeJS.Signals = 'SIGINT', env: NodeJS.ProcessEnv = {}): Promise<Ended> {
  const child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  const out: Rec[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    const parts = (partial + s).split('\n');
    partial = parts.pop()!;
    for (const l of parts) if (l.trim()) out.push(JSON.parse(l) as Rec);
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  child.stdin!.write(input.map((r) => JSON.stringify(r) + '\n').join(''));
  const deadline = Date.now() + WAIT;
  while (!ready(out, stderr)) {
    if (child.exitCode !== null) throw new Error(`sluice exited early: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out; output ${JSON.stringify(out)}; stderr ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill(signal);
  const code = await exited;
  return { code, out, stderr };
}

const at = (s: string) => `2024-05-01T12:${s}Z`;
const iso = (s: string) => `2024-05-01T12:${s}.000Z`;

describe('interrupted windows and aggregates: what is not final says so', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: fired windows as they are, open ones with "final": false, a count on stderr, exit 130`, async () => {
      const r = await interrupted(['window tumbling 1m on ts | count() by service'], [
        { ts: at('00:10'), service: 'a' }, { ts: at('00:20'), service: 'a' },
        { ts: at('01:10'), service: 'b' }, { ts: at('01:20'), service: 'a' },
      ], (out) => out.length > 0, signal);
      expect(r.code).toBe(130);
      expect(r.out).toEqual([
        { window_start: iso('00:00'), window_end: iso('01:00'), service: 'a', count: 2 },
        { window_start: iso('01:00'), window_end: iso('02:00'), service: 'b', count: 1, final: false },
        { window_start: iso('01:00'), window_end: iso('02:00'), service: 'a', count: 1, final: false },
      ]);
      expect(r.stderr).toBe('sluice: interrupted: 2 results of the input read so far written with "final": false\n');
    });
  }

  it('count() by: the groups so far, each marked "final": false', async () => {
    // an early result (emit every) shows the records have been read
    const r = await interrupted(['count() by service emit every 100ms'], [{ service: 'a' }, { service: 'b' }, { service: 'a' }],
      (out) => out.some((o) => o.service === 'a' && o.count === 2));
    expect(r.code).toBe(130);
    const last = r.out.slice(-2);
    expect(last).toEqual([{ service: 'a', count: 2, final: false }, { service: 'b', count: 1, final: false }]);
    expect(r.out.some((o) => o.final === true)).toBe(false);
    expect(r.stderr).toMatch(/interrupted: 2 results of the input read so far written with "final": false/);
  });

  it('emit changes on a session window: the last state is not passed off as final', async () => {
    const r = await interrupted(['window session 30s on ts emit changes | count() by user'], [{ ts: at('00:00'), user: 'ann' }, { ts: at('00:10'), user: 'ann' }],
      (out) => out.some((o) => o.count === 2));
    expect(r.code).toBe(130);
    expect(r.out.at(-1)).toEqual({ window_start: iso('00:00'), window_end: iso('00:40'), user: 'ann', count: 2, final: false });
    expect(r.out.some((o) => o.final === true)).toBe(false);
  });

  it('with --state: the open windows are not written; the checkpoint keeps them and the next run finishes them', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, [{ ts: at('00:10'), service: 'a' }, { ts: at('01:10'), service: 'b' }].map((r) => JSON.stringify(r) + '\n').join(''));
    // a followed file stays open like a live stream, and can be resumed
    const r = await interrupted(['--state', state, '--follow', 'window tumbling 1m on ts | count() by service', input], [], (out) => out.length > 0);
    expect(r.code).toBe(130);
    expect(r.out).toEqual([{ window_start: iso('00:00'), window_end: iso('01:00'), service: 'a', count: 1 }]);
    expect(r.stderr).toBe('');
    expect(existsSync(state)).toBe(true);
    appendFileSync(input, [{ ts: at('01:50'), service: 'b' }, { ts: at('02:10'), service: 'c' }].map((r) => JSON.stringify(r) + '\n').join(''));
    const again = await interrupted(['--state', state, '--follow', 'window tumbling 1m on ts | count() by service', input], [], (out) => out.length > 0);
    expect(again.code).toBe(130);
    expect(again.out).toEqual([{ window_start: iso('01:00'), window_end: iso('02:00'), service: 'b', count: 2 }]);
  });
});

describe('interrupted sort, tail, top: nothing half-done is written', () => {
  for (const program of ['sort n desc', 'tail 2', 'top 2 by n']) {
    it(`${program}: no output, stderr says how many records were held, exit 130`, async () => {
      // the assert's message on stderr shows that the last record has been read
      const r = await interrupted([`assert n != 2 | ${program}`], [{ n: 1 }, { n: 3 }, { n: 2 }], (_o, e) => e.includes('assertion failed'));
      expect(r.code).toBe(130);
      expect(r.out).toEqual([]);
      const held = program.startsWith('sort') ? 3 : 2;
      expect(r.stderr).toBe('sluice: (stdin):3: assertion failed: n != 2\n' +
        `sluice: interrupted: ${held} records held by sort, tail or top not written (their order or choice needs the whole input)\n`);
    });
  }

  it('a sort that spilled: its temporary files are gone after the interrupt; --stats counts what it withheld', async () => {
    const dir = tempDir();
    const records = Array.from({ length: 2000 }, (_, i) => ({ n: (i * 37) % 101, i }));
    const r = await interrupted(['--stats', '--sort-buffer', '8K', 'sort n'], records, () => readdirSync(dir).length > 0, 'SIGINT', { TMPDIR: dir });
    expect(r.code).toBe(130);
    expect(r.out).toEqual([]);
    const held = /interrupted: (\d+) records held by sort/.exec(r.stderr);
    expect(held).not.toBeNull();
    expect(r.stderr).toMatch(new RegExp(`withheld records +${held![1]} \\(interrupted`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a window before a sort: the partial windows are withheld by the sort, and both counts are told', async () => {
    const r = await interrupted(['assert service != "z" | window tumbling 1m on ts | count() by service | sort count desc'],
      [{ ts: at('00:10'), service: 'a' }, { ts: at('01:10'), service: 'b' }, { ts: at('01:20'), service: 'z' }], (_o, e) => e.includes('assertion failed'));
    expect(r.code).toBe(130);
    expect(r.out).toEqual([]);
    // the fired window's result (complete) and the two open ones (partial) are all in the sort, none written
    expect(r.stderr).toBe('sluice: (stdin):3: assertion failed: service != "z"\n' +
      'sluice: interrupted: 3 records held by sort, tail or top not written (their order or choice needs the whole input)\n');
  });
});

describe('--follow with a partial last line', () => {
  it('SIGINT exits 130, writes the complete records and does not call the partial line bad input', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.ndjson');
    writeFileSync(f, '{"n":1}\n{"n":2}\n{"n":');
    const r = await interrupted(['--follow', 'select n', f], [], (out) => out.length === 2);
    expect(r.code).toBe(130);
    expect(r.out).toEqual([{ n: 1 }, { n: 2 }]);
    expect(r.stderr).toBe('');
  });
});
