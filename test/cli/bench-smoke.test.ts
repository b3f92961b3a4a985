
// A CI-safe smoke run of the benchmark (issue #13): the benchmark's tasks over a small sample of the
// benchmark's own data (bench/gen.mjs, 5,000 events as NDJSON and CSV, in a temp dir), through
// bin/sluice, give the same bytes on every fast path (records holding only the fields the program
// reads; two threads on small chunks) as on the plain one (one thread, whole records:
// SLUICE_PROJECTION=0, --threads 1). No timing is asserted; `npm run bench` measures.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_HEADER, events } from '../../bench/gen.mjs';

const ROOT = resolve(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const N = 5000;
const lines: string[] = [];
const rows = [CSV_HEADER];
for (const e of events(N) as Iterable<Record<string, string | number>>) {
  lines.push(JSON.stringify(e));
  rows.push(CSV_HEADER.split(',').map((k) => e[k]).join(','));
}
writeFileSync(join(tmp, 'events.ndjson'), `${lines.join('\n')}\n`);
writeFileSync(join(tmp, 'events.csv'), `${rows.join('\n')}\n`);

/** The tasks of bench/run.mjs. */
const TASKS: Record<string, string[]> = {
  T1: ['where status >= 500', 'events.ndjson'],
  T2: ['count() by service', 'events.ndjson'],
  T3: ['window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service', 'events.ndjson'],
  T3ISO: ['window tumbling 1m on ts | count(), avg(latency_ms) by service', 'events.ndjson'],
  T4: ['p95(latency_ms) by path', 'events.ndjson'],
  T5: ['where status >= 500 | select ts, service, path, latency_ms', '-O', 'csv', 'events.csv'],
};

/** The plain path, and the fast paths that must give the same bytes. */
const PLAIN = { name: 'whole records, one thread', env: { SLUICE_PROJECTION: '0' }, args: ['--threads', '1'] };
const FAST = [
  { name: 'projected', env: {}, args: ['--threads', '1'] },
  // 64 KiB chunks: about 20 of them, so both threads take several
  { name: 'projected, two threads', env: { SLUICE_THREAD_CHUNK: '65536' }, args: ['--threads', '2'] },
  { name: 'whole records, two threads', env: { SLUICE_PROJECTION: '0', SLUICE_THREAD_CHUNK: '65536' }, args: ['--threads', '2'] },
];

function run(args: string[], variant: typeof PLAIN): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(join(ROOT, 'bin/sluice'), [...variant.args, ...args], {
    cwd: tmp,
    env: { ...process.env, ...variant.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('benchmark smoke run: the fast paths give the plain path\'s bytes', () => {
  for (const [task, args] of Object.entries(TASKS)) {
    it(`${task} ${args[0]}`, () => {
      const plain = run(args, PLAIN);
      expect(plain.status).toBe(0);
      expect(plain.stdout.split('\n').length).toBeGreaterThan(2);
      for (const v of FAST) expect(run(args, v), v.name).toEqual(plain);
    });
  }
});
