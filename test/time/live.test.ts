// Live inputs, as a user sees them: bin/sluice reading a stdin that stays open, or a file
// under --follow, and stopped with Ctrl-C. Every wait is bounded, and the only timing claim is
// causal: a result must arrive while stdin is still open (we close it only after reading it),
// never "within N ms". Needs a build (dist/), like the golden cases.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');
/** how long any single awaited thing may take on a loaded machine */
const WAIT = 15_000;

type Rec = Record<string, unknown>;

class Live {
  readonly child: ChildProcess;
  /** every stdout line so far, parsed */
  readonly out: Rec[] = [];
  stderr = '';
  stdinOpen = true;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = '';
  private waiters: (() => void)[] = [];

  constructor(args: string[], opts: { stdin?: boolean } = {}) {
    this.child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, TZ: 'UTC' }, stdio: [opts.stdin === false ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      const parts = (this.partial + s).split('\n');
      this.partial = parts.pop()!;
      for (const line of parts) if (line.trim()) this.out.push(JSON.parse(line) as Rec);
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => { this.wake(); res({ code, signal }); }));
    running.push(this);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(...records: Rec[]): void {
    this.child.stdin!.write(records.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  closeStdin(): void {
    this.stdinOpen = false;
    this.child.stdin!.end();
  }

  /** Wait (bounded) until `count` output records satisfy `pred`; returns the output so far. */
  async until(pred: (r: Rec) => boolean, what: string, count = 1): Promise<Rec[]> {
    const deadline = Date.now() + WAIT;
    for (;;) {
      if (this.out.filter(pred).length >= count) return this.out;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`sluice exited before ${what}; output ${JSON.stringify(this.out)}; stderr ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; output ${JSON.stringify(this.out)}; stderr ${this.stderr}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 250));
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
  }

  async interrupt(signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }
}

const running: Live[] = [];
const dirs: string[] = [];
afterEach(() => {
  // stop only the processes these tests started, by their own handles
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-live-'));
  dirs.push(d);
  return d;
}

const at = (s: string) => `2024-05-01T12:${s}Z`;

describe('a stdin that stays open', () => {
  it('writes each record before stdin closes (no batching holds results back)', async () => {
    const p = new Live(['where n > 0']);
    p.write({ n: 1 });
    await p.until((r) => r.n === 1, 'the first record');
    expect(p.stdinOpen).toBe(true);
    p.write({ n: 0 }, { n: 2 });
    await p.until((r) => r.n === 2, 'the second record');
    expect(p.out).toEqual([{ n: 1 }, { n: 2 }]);
    p.closeStdin();
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('fires a tumbling window as soon as a later record moves the watermark past its end', async () => {
    const p = new Live(['window tumbling 1m on ts | count(), collect(n)']);
    p.write({ ts: at('00:10'), n: 1 }, { ts: at('00:50'), n: 2 });
    p.write({ ts: at('01:05'), n: 3 });
    const out = await p.until((r) => r.window_start === '2024-05-01T12:00:00.000Z', 'the first window');
    expect(out).toEqual([{ window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:01:00.000Z', count: 2, collect_n: [1, 2] }]);
    p.closeStdin();
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.out.slice(1)).toEqual([{ window_start: '2024-05-01T12:01:00.000Z', window_end: '2024-05-01T12:02:00.000Z', count: 1, collect_n: [3] }]);
  });

  it('writes a count window when its Nth record arrives', async () => {
    const p = new Live(['window count 2 on ts | sum(n) by k']);
    p.write({ ts: at('00:01'), k: 'a', n: 1 }, { ts: at('00:02'), k: 'b', n: 10 }, { ts: at('00:03'), k: 'a', n: 2 });
    await p.until((r) => r.k === 'a', 'the window of a');
    expect(p.out).toEqual([{ window_start: at('00:01').replace('Z', '.000Z'), window_end: at('00:03').replace('Z', '.000Z'), k: 'a', sum_n: 3 }]);
    p.closeStdin();
    await p.exited;
    expect(p.out.slice(1)).toEqual([{ window_start: '2024-05-01T12:00:02.000Z', window_end: '2024-05-01T12:00:02.000Z', k: 'b', sum_n: 10 }]);
  });

  it('emit changes writes the updated window after every record', async () => {
    const p = new Live(['window tumbling 1m on ts emit changes | count()']);
    p.write({ ts: at('00:01') });
    await p.until((r) => r.count === 1 && r.final === false, 'the first change');
    p.write({ ts: at('00:02') });
    await p.until((r) => r.count === 2 && r.final === false, 'the second change');
    p.closeStdin();
    await p.exited;
    expect(p.out.map((r) => [r.count, r.final])).toEqual([[1, false], [2, false], [2, true]]);
  });
});

describe('--idle: the watermark follows the wall clock on a quiet stream', () => {
  it('fires the window after a quiet period, without more input', async () => {
    const p = new Live(['--idle', '300ms', 'window tumbling 1s on ts | count(), collect(n)']);
    p.write({ ts: '2024-05-01T12:00:00.500Z', n: 1 }, { ts: '2024-05-01T12:00:00.900Z', n: 2 });
    const out = await p.until((r) => r.count === 2, 'the window to fire while stdin is open');
    expect(out).toEqual([{ window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:00:01.000Z', count: 2, collect_n: [1, 2] }]);
    expect(p.stdinOpen).toBe(true);
    p.closeStdin();
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('without --idle the same window waits for more input or the end', async () => {
    const p = new Live(['window tumbling 1s on ts | count()']);
    p.write({ ts: '2024-05-01T12:00:00.500Z' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.out).toEqual([]);
    p.closeStdin();
    await p.exited;
    expect(p.out).toEqual([{ window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:00:01.000Z', count: 1 }]);
  });
});

describe('emit every on a live stdin', () => {
  it('a plain aggregate writes early results while stdin is open, and on Ctrl-C its state, still not final', async () => {
    const p = new Live(['count(), sum(n) by k emit every 200ms']);
    p.write({ k: 'a', n: 1 }, { k: 'b', n: 2 });
    await p.until((r) => r.k === 'a' && r.final === false, 'an early result for a');
    expect(p.stdinOpen).toBe(true);
    p.write({ k: 'a', n: 3 });
    await p.until((r) => r.k === 'a' && r.count === 2 && r.final === false, 'an early result with the new record');
    for (const r of p.out) expect(r.final).toBe(false);
    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    // the input did not end: nothing is final (issue #16, item 5)
    expect(p.out.filter((r) => r.final === true)).toEqual([]);
    expect(p.out.slice(-2)).toEqual([{ k: 'a', count: 2, sum_n: 4, final: false }, { k: 'b', count: 1, sum_n: 2, final: false }]);
  });

  it('a window writes early results marked final: false, then the final one; on Ctrl-C the open one stays final: false', async () => {
    const p = new Live(['window tumbling 1m on ts emit every 200ms | count()']);
    p.write({ ts: at('00:01') });
    await p.until((r) => r.count === 1 && r.final === false, 'an early window result');
    p.write({ ts: at('01:01') });
    await p.until((r) => r.window_end === '2024-05-01T12:01:00.000Z' && r.final === true, 'the first window to fire');
    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    expect(p.out.filter((r) => r.final === true)).toEqual([
      { window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:01:00.000Z', count: 1, final: true },
    ]);
    expect(p.out.at(-1)).toEqual({ window_start: '2024-05-01T12:01:00.000Z', window_end: '2024-05-01T12:02:00.000Z', count: 1, final: false });
  });
});

describe('Ctrl-C on a windowed aggregate', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the open windows are written marked "final": false, then exit 130`, async () => {
      const p = new Live(['window tumbling 1m on ts | count(), collect(n) by k']);
      p.write({ ts: at('00:10'), k: 'a', n: 1 }, { ts: at('01:10'), k: 'b', n: 2 }, { ts: at('01:20'), k: 'a', n: 3 });
      // the first window firing shows the records have been read
      await p.until((r) => r.window_end === '2024-05-01T12:01:00.000Z', 'the first window');
      expect(await p.interrupt(signal)).toEqual({ code: 130, signal: null });
      expect(p.out).toEqual([
        { window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:01:00.000Z', k: 'a', count: 1, collect_n: [1] },
        { window_start: '2024-05-01T12:01:00.000Z', window_end: '2024-05-01T12:02:00.000Z', k: 'b', count: 1, collect_n: [2], final: false },
        { window_start: '2024-05-01T12:01:00.000Z', window_end: '2024-05-01T12:02:00.000Z', k: 'a', count: 1, collect_n: [3], final: false },
      ]);
      expect(p.stderr).toBe('sluice: interrupted: 2 results of the input read so far written with "final": false\n');
    });
  }

  it('session windows are written too, not final', async () => {
    const p = new Live(['window session 30s on ts emit changes | count() by user']);
    p.write({ ts: at('00:00'), user: 'ann' }, { ts: at('00:10'), user: 'ann' });
    await p.until((r) => r.count === 2, 'the session to grow');
    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    expect(p.out.at(-1)).toEqual({ window_start: '2024-05-01T12:00:00.000Z', window_end: '2024-05-01T12:00:40.000Z', user: 'ann', count: 2, final: false });
  });
});

describe('--follow FILE', () => {
  it('reads appended lines, starts again after truncation, follows rotation without losing the old tail; Ctrl-C exits 130', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.ndjson');
    writeFileSync(f, '{"n":1}\n{"n":2}\n');
    const p = new Live(['--follow', 'select n', f], { stdin: false });
    await p.until((r) => r.n === 2, 'the lines already in the file');

    appendFileSync(f, '{"n":3}\n{"n":4}\n');
    await p.until((r) => r.n === 4, 'appended lines');

    // a line written in two parts comes out once, whole
    appendFileSync(f, '{"n":');
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(f, '5}\n');
    await p.until((r) => r.n === 5, 'a line completed later');

    // truncation: rewritten shorter, read again from the start
    writeFileSync(f, '{"n":6}\n');
    await p.until((r) => r.n === 6, 'the line of the truncated file');
    appendFileSync(f, '{"n":7}\n');
    await p.until((r) => r.n === 7, 'a line appended after truncation');

    // rotation: a last line goes to the old file just before it is renamed away
    appendFileSync(f, '{"n":8}\n');
    renameSync(f, f + '.1');
    writeFileSync(f, '{"n":9}\n');
    await p.until((r) => r.n === 9, 'the first line of the new file');
    appendFileSync(f, '{"n":10}\n');
    await p.until((r) => r.n === 10, 'a line appended to the new file');

    // rotation with a gap: the path is missing for a while
    renameSync(f, f + '.2');
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(f, '{"n":11}\n');
    await p.until((r) => r.n === 11, 'the file that came back');

    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    expect(p.out.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(p.stderr).toBe('');
  });

  it('truncated to empty, then written again', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.ndjson');
    writeFileSync(f, '{"n":1}\n{"n":2}\n');
    const p = new Live(['--follow', 'select n', f], { stdin: false });
    await p.until((r) => r.n === 2, 'the lines already in the file');
    truncateSync(f, 0);
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(f, '{"n":3}\n');
    await p.until((r) => r.n === 3, 'the line after truncation');
    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    expect(p.out.map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('a windowed aggregate over a followed file fires on the watermark and flushes on Ctrl-C', async () => {
    const dir = tempDir();
    const f = join(dir, 'app.ndjson');
    writeFileSync(f, `${JSON.stringify({ ts: at('00:10'), n: 1 })}\n`);
    const p = new Live(['--follow', 'window tumbling 1m on ts | collect(n)', f], { stdin: false });
    appendFileSync(f, `${JSON.stringify({ ts: at('01:10'), n: 2 })}\n`);
    await p.until((r) => r.window_end === '2024-05-01T12:01:00.000Z', 'the first window');
    expect(await p.interrupt()).toEqual({ code: 130, signal: null });
    expect(p.out.map((r) => r.collect_n)).toEqual([[1], [2]]);
  });
});
