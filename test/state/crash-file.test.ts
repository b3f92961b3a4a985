// --state under SIGKILL at random moments: windows over a file, and --follow across rotations.
// Each scenario is compared with one uninterrupted run (see crash.ts for what must hold).
// `npm run soak` runs the same scenarios for many more cycles (SLUICE_SOAK_CYCLES).

import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/runtime/checkpoint.js';
import { crashCycles, lines, prng, runSluice } from './crash.js';
import { readFileSync } from 'node:fs';

const SEED = Number(process.env.SLUICE_SOAK_SEED ?? 20261126);
const CYCLES = Number(process.env.SLUICE_SOAK_CYCLES ?? 0);

/** Events with keys and event times out of order by at most 2 s. */
function events(n: number, seed: number, from = 0): string {
  const rnd = prng(seed);
  let out = '';
  const t0 = 1_714_564_800_000;
  for (let i = from; i < from + n; i++) {
    const ts = t0 + i * 20 - Math.floor(rnd() * 2000);
    out += `{"ts":${ts},"k":"k${Math.floor(rnd() * 40)}","v":${i}}\n`;
  }
  return out;
}

/** The state file holds a checkpoint with a position in a followed file. */
function followsLog(state: string): boolean {
  try {
    const input = decodeCheckpoint(readFileSync(state), state).inputs[0];
    return input?.kind === 'text' && ((input.position as { ino?: string } | null)?.ino ?? '') !== '';
  } catch {
    return false; // not written yet
  }
}

/** One line per scenario for `npm run soak`: kills, lost and duplicated results. */
function report(what: string, cycles: number, kills: number, lost: number, duplicated: number, misplaced: number, results: number): void {
  if (CYCLES > 0) {
    process.stdout.write(`soak: ${what}: ${cycles} cycles, ${kills} SIGKILLs, ${results} results each, lost ${lost}, ` +
      `duplicated ${duplicated} (all of them a restart repeating what came after the checkpoint it restored: ${misplaced === 0 ? 'yes' : `no, ${misplaced} not`})\n`);
  }
}

const WINDOWS = 'window tumbling 10s on ts allow 3s | count(), sum(v), min(v), max(v) by k';

describe('--state: SIGKILL at random moments', () => {
  it('windows over a file: the union of every run\'s output is one uninterrupted run\'s, nothing lost or wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, events(300_000, SEED));
    // kill times are fractions of how long this machine takes, so that a fast machine (or Node)
    // still has runs killed: after start-up, within the first 20–50% of the work
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    let started = Date.now();
    expect((await runSluice([WINDOWS, empty, '--to', join(dir, 'empty-out.ndjson')], null)).code).toBe(0);
    const startupMs = Date.now() - started;
    started = Date.now();
    const ref = await runSluice([WINDOWS, input, '--to', join(dir, 'ref.ndjson')], null);
    expect(ref.code).toBe(0);
    const workMs = Math.max(50, Date.now() - started - startupMs);
    const expected = lines(readFileSync(join(dir, 'ref.ndjson'), 'utf8'));
    expect(expected.length).toBeGreaterThan(1000);
    const rnd = prng(SEED + 1);
    const cycles = Math.max(CYCLES, 3);
    let kills = 0;
    let duplicated = 0;
    let misplaced = 0;
    for (let c = 0; c < cycles; c++) {
      const state = join(dir, `s${c}.state`);
      const r = await crashCycles({
        args: (run) => ['--state', state, '--checkpoint-every', '50ms', WINDOWS, input, '--to', join(dir, `out-${c}-${run}.ndjson`)],
        out: (run) => join(dir, `out-${c}-${run}.ndjson`),
        expected,
        killMs: () => startupMs + Math.floor(workMs * (0.2 + rnd() * 0.3)),
        maxRuns: 60,
        ordered: true,
      });
      expect(r.lost).toEqual([]);
      expect(r.wrong).toEqual([]);
      expect(r.misplaced).toBe(0);
      expect(r.kills).toBeGreaterThanOrEqual(1);
      kills += r.kills;
      duplicated += r.duplicated;
      misplaced += r.misplaced;
    }
    report('windows over a file', cycles, kills, 0, duplicated, misplaced, expected.length);
    expect(kills).toBeGreaterThanOrEqual(2 * cycles);
  }, 180_000);

  it('--follow across rotations while sluice is down: no line lost or read twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-follow-crash-'));
    const log = join(dir, 'app.log');
    const slices = 12;
    const per = 4000;
    const all: string[] = [];
    for (let s = 0; s < slices; s++) all.push(events(per, SEED + 10 + s, s * per));
    // a record far in the future closes every real window, so that each is written while following
    const closer = `{"ts":1914564800000,"k":"end","v":-1}\n`;
    const whole = join(dir, 'whole.ndjson');
    writeFileSync(whole, all.join('') + closer);
    const program = 'window tumbling 10s on ts allow 3s | count(), sum(v) by k';
    const ref = await runSluice([program, whole, '--to', join(dir, 'ref.ndjson')], null);
    expect(ref.code).toBe(0);
    // the closer's own window fires only at the end of a finite input
    const expected = lines(readFileSync(join(dir, 'ref.ndjson'), 'utf8')).filter((l) => !l.includes('"k":"end"'));
    const rnd = prng(SEED + 2);
    writeFileSync(log, '');
    const state = join(dir, 'f.state');
    let rotations = 0;
    const r = await crashCycles({
      between: (run) => {
        if (run >= slices) {
          if (run === slices) appendFileSync(log, closer);
          return;
        }
        // rotate before some slices: the rest of the old file must still be read, from the rotated name
        if (run > 0 && run % 3 === 0) {
          renameSync(log, join(dir, `app.log.${run}`));
          writeFileSync(log, '');
          rotations++;
        }
        appendFileSync(log, all[run]!);
      },
      args: (run) => ['--follow', '--state', state, '--checkpoint-every', '50ms', program, log, '--to', join(dir, `out-${run}.ndjson`)],
      out: (run) => join(dir, `out-${run}.ndjson`),
      expected,
      killMs: () => 200 + Math.floor(rnd() * 600),
      // Until a checkpoint holds a position in the log, a restart is a fresh start, which follows
      // the file now at the path (as tail -F does): lines rotated away before that are not sluice's
      // to read. On a loaded machine the first runs can be killed before their first checkpoint (or
      // before Node has started), so no run is killed before one exists.
      hold: () => !followsLog(state),
      maxRuns: slices + 2,
      interruptLastAfterMs: 3000,
      ordered: true,
    });
    report('--follow across rotations', 1, r.kills, r.lost.length, r.duplicated, r.misplaced, expected.length);
    const diagnostic = `seed ${SEED}, ${expected.length} results expected, lost ${r.lost.length}, wrong ${r.wrong.length}\n${r.log.join('\n')}`;
    if (process.env.SLUICE_CRASH_LOG) process.stderr.write(`${diagnostic}\n`);
    expect(r.misplaced, diagnostic).toBe(0);
    expect(rotations).toBeGreaterThanOrEqual(3);
    expect(r.kills).toBeGreaterThanOrEqual(slices);
    expect(r.lost, diagnostic).toEqual([]);
    expect(r.wrong, diagnostic).toEqual([]);
  }, 180_000);
});
