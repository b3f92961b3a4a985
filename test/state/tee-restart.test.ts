// tee across restarts with --state: at least once, like the main output. Runs killed at random
// moments append to one tee file; at the end it holds every record (none lost, none torn), and a
// record is written twice only when it came after the checkpoint a restart resumed from.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropTornLine } from '../../src/runtime/tee.js';
import { compare, crashCycles, lines, prng, runSluice } from './crash.js';

function records(n: number, seed: number): string {
  const rnd = prng(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += `{"i":${i},"k":"k${Math.floor(rnd() * 5)}","v":${Math.floor(rnd() * 1000)}}\n`;
  return out;
}

describe('tee with --state', () => {
  it('killed at random moments: the tee file holds every record at least once, whole, and the filtered output is one run\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tee-'));
    const input = join(dir, 'in.ndjson');
    const text = records(150_000, 21);
    writeFileSync(input, text);
    const program = (t: string) => `tee ${JSON.stringify(t)} | where v < 100`;
    // kill times: after start-up, within the first 20–60% of the work (as crash-file.test.ts)
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    let started = Date.now();
    expect((await runSluice([program(join(dir, 'empty-raw.ndjson')), empty, '--to', join(dir, 'empty-out.ndjson')], null)).code).toBe(0);
    const startupMs = Date.now() - started;
    started = Date.now();
    expect((await runSluice([program(join(dir, 'ref-raw.ndjson')), input, '--to', join(dir, 'ref.ndjson')], null)).code).toBe(0);
    const workMs = Math.max(50, Date.now() - started - startupMs);
    expect(readFileSync(join(dir, 'ref-raw.ndjson'), 'utf8')).toBe(text);
    const expected = lines(readFileSync(join(dir, 'ref.ndjson'), 'utf8'));
    const checkpointEvery = `${Math.max(5, Math.min(50, Math.round(workMs / 8)))}ms`;
    const rnd = prng(22);
    // this machine's speed varies: a cycle whose runs were all killed too late (or too early to
    // checkpoint) proves nothing about resuming, so cycles go on until one resumed after a kill
    let resumed = false;
    for (let cycle = 0; cycle < 5 && !resumed; cycle++) {
      const tee = join(dir, `raw-${cycle}.ndjson`);
      const out = (run: number) => join(dir, `out-${cycle}-${run}.ndjson`);
      const r = await crashCycles({
        // checkpoints several times within the work, however fast this machine (and sluice) is
        args: (run) => ['--state', join(dir, `s-${cycle}.state`), '--checkpoint-every', checkpointEvery, program(tee), input, '--to', out(run)],
        out,
        expected,
        killMs: () => startupMs + Math.floor(workMs * (0.1 + rnd() * 0.5)),
        maxRuns: 30,
        ordered: true,
      });
      expect(r.lost).toEqual([]);
      expect(r.wrong).toEqual([]);
      const teed = readFileSync(tee, 'utf8');
      expect(teed.endsWith('\n')).toBe(true);
      const c = compare(lines(text), lines(teed));
      expect(c.lost, r.log.join('\n')).toEqual([]);
      expect(c.wrong).toEqual([]);
      // at least once: what a restart writes again is what came after the checkpoint it resumed from
      const i = lines(teed).map((l) => JSON.parse(l).i as number);
      for (let j = 1; j < i.length; j++) if (i[j]! !== i[j - 1]! + 1) expect(i[j]!).toBeLessThan(i[j - 1]!);
      // the last run resumed from a checkpoint (it wrote only the rest): one that wrote the tee file afresh would lose records
      resumed = r.kills > 0 && lines(readFileSync(out(r.runs - 1), 'utf8')).length < expected.length;
    }
    expect(resumed).toBe(true);
  }, 120_000);

  it('a torn last line is cut off before a resumed run appends; whole lines are kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tee-'));
    const f = join(dir, 't.ndjson');
    writeFileSync(f, '{"a":1}\n{"a":2}\n{"a":');
    dropTornLine(f);
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    dropTornLine(f);
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    writeFileSync(f, 'x'.repeat(200_000));
    dropTornLine(f);
    expect(readFileSync(f, 'utf8')).toBe('');
    dropTornLine(join(dir, 'missing'));
  });
});
