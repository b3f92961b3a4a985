// Running values across restarts with --state: a run stopped halfway (SIGINT on a followed file)
// and a second run over what was appended write exactly what one run writes; runs killed at random
// moments write every line of one run at least once and no line one run does not write (a
// running total restored wrong would be a line of its own).

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, crashCycles, lines, prng, runSluice } from './crash.js';

const PROGRAM = 'running running_sum(v) as total, running_count() as n, prev(v) as last, delta(v) as step by k';

function records(from: number, to: number, seed: number): string {
  const rnd = prng(seed);
  let out = '';
  for (let i = from; i < to; i++) out += `{"i":${i},"k":"k${Math.floor(rnd() * 7)}","v":${Math.floor(rnd() * 1000) - 300}}\n`;
  return out;
}

/** Run sluice until `out` holds `want` lines, then SIGINT it; resolves to its exit code. */
function runUntil(args: string[], out: string, want: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const poll = setInterval(() => {
      if (existsSync(out) && lines(readFileSync(out, 'utf8')).length >= want) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      done({ code, stderr });
    });
  });
}

describe('running with --state', () => {
  it('stopped halfway and run again on the rest: the same output as one run, nothing repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-running-'));
    const first = records(0, 500, 7);
    const rest = records(500, 1000, 8);
    const whole = join(dir, 'whole.ndjson');
    writeFileSync(whole, first + rest);
    expect((await runSluice([PROGRAM, whole, '--to', join(dir, 'ref.ndjson')], null)).code).toBe(0);
    const expected = lines(readFileSync(join(dir, 'ref.ndjson'), 'utf8'));
    expect(expected).toHaveLength(1000);

    const log = join(dir, 'log.ndjson');
    const state = join(dir, 's.state');
    writeFileSync(log, first);
    const args = (out: string) => ['--follow', '--state', state, PROGRAM, log, '--to', out];
    const a = await runUntil(args(join(dir, 'a.ndjson')), join(dir, 'a.ndjson'), 500);
    expect(a.code, a.stderr).toBe(130);
    appendFileSync(log, rest);
    const b = await runUntil(args(join(dir, 'b.ndjson')), join(dir, 'b.ndjson'), 500);
    expect(b.code, b.stderr).toBe(130);
    const written = [...lines(readFileSync(join(dir, 'a.ndjson'), 'utf8')), ...lines(readFileSync(join(dir, 'b.ndjson'), 'utf8'))];
    expect(written).toEqual(expected);
  }, 60_000);

  it('killed at random moments: every line of one run written, none that one run does not write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-running-'));
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, records(0, 150_000, 11));
    const started = Date.now();
    expect((await runSluice([PROGRAM, input, '--to', join(dir, 'ref.ndjson')], null)).code).toBe(0);
    const ms = Date.now() - started;
    const expected = lines(readFileSync(join(dir, 'ref.ndjson'), 'utf8'));
    const state = join(dir, 's.state');
    const rnd = prng(12);
    const r = await crashCycles({
      args: (run) => ['--state', state, '--checkpoint-every', '50ms', PROGRAM, input, '--to', join(dir, `out-${run}.ndjson`)],
      out: (run) => join(dir, `out-${run}.ndjson`),
      expected,
      killMs: () => Math.floor(ms * (0.3 + rnd() * 0.3)),
      maxRuns: 30,
      ordered: true,
    });
    expect(r.lost).toEqual([]);
    expect(r.wrong).toEqual([]);
    expect(r.misplaced).toBe(0);
    expect(r.kills, r.log.join('\n')).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
