// --state with an interval join, through the CLI: a run follows the first half of the input and is
// interrupted (SIGINT: checkpoint, exit 130) while it holds FILE's rows within the bound and FILE's
// position, read ahead of the input's time; the second half is appended and a second run resumes from the checkpoint
// to the end. Together they must write exactly what one uninterrupted run writes, in its order.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/runtime/checkpoint.js';
import { BIN } from './crash.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-join-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1714564800000;
const PROGRAM = 'join payments.ndjson on order = id within 3s on ts = at as pay left';

function orders(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += JSON.stringify({ order: i % 13, ts: T0 + i * 700, n: i }) + '\n';
  return s;
}

/** Follow `input` with --state until the output has been quiet for a while, then SIGINT. */
function followUntilQuiet(args: string[]): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let quiet: NodeJS.Timeout | null = null;
    const arm = () => {
      if (quiet) clearTimeout(quiet);
      quiet = setTimeout(() => child.kill('SIGINT'), 1500);
    };
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); arm(); });
    arm();
    child.on('close', (code) => { if (quiet) clearTimeout(quiet); resolve({ out, code }); });
  });
}

describe('--state: an interval join stopped and resumed', () => {
  it('writes what one uninterrupted run writes', async () => {
    let pay = '';
    for (let i = 0; i < 400; i++) pay += JSON.stringify({ id: (i * 7) % 13, at: T0 + i * 1100, method: `m${i}` }) + '\n';
    writeFileSync(join(dir, 'payments.ndjson'), pay);
    writeFileSync(join(dir, 'all.ndjson'), orders(0, 600));
    const whole = spawnSync(BIN, [PROGRAM, 'all.ndjson'], { cwd: dir, encoding: 'utf8' });
    expect(whole.status).toBe(0);

    writeFileSync(join(dir, 'in.ndjson'), orders(0, 300));
    const first = await followUntilQuiet(['--follow', '--state', 'st', '--checkpoint-every', '1h', PROGRAM, 'in.ndjson']);
    expect(first.code).toBe(130);
    // the checkpoint holds FILE's position (read ahead of the input's time) and the rows still within 3s
    const saved = decodeCheckpoint(readFileSync(join(dir, 'st')), 'st').stages!.find((s) => typeof s === 'object' && s !== null && 'reader' in s) as { reader: { offset: number }; right: unknown[] };
    expect(saved.reader.offset).toBeGreaterThan(0);
    expect(saved.right.length).toBeGreaterThan(0);
    appendFileSync(join(dir, 'in.ndjson'), orders(300, 600));
    const second = spawnSync(BIN, ['--state', 'st', PROGRAM, 'in.ndjson'], { cwd: dir, encoding: 'utf8' });
    expect(second.status).toBe(0);

    expect(first.out.length).toBeGreaterThan(0);
    expect(first.out + second.stdout).toBe(whole.stdout);
  }, 30_000);
});
