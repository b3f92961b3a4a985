// A CI-safe smoke run of the benchmark (issue #13): the benchmark's tasks over a small sample of the
// benchmark's own data (bench/gen.mjs, 5,000 events, in a temp dir), through bin/sluice, give the
// same bytes on every fast path as on the plain one (one thread, whole records: SLUICE_PROJECTION=0).
// No timing is asserted; `npm run bench` measures.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { events } from '../../bench/gen.mjs';

const ROOT = resolve(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const N = 5000;
const ndjson = join(tmp, 'events.ndjson');
writeFileSync(ndjson, `${[...(events(N) as Iterable<object>)].map((e) => JSON.stringify(e)).join('\n')}\n`);

/** The NDJSON tasks of bench/run.mjs. */
const TASKS: Record<string, string> = {
  T1: 'where status >= 500',
  T2: 'count() by service',
  T3: 'window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service',
  T3ISO: 'window tumbling 1m on ts | count(), avg(latency_ms) by service',
  T4: 'p95(latency_ms) by path',
};

/** The plain path, and the fast paths that must give the same bytes. */
const PLAIN = { name: 'whole records', env: { SLUICE_PROJECTION: '0' }, args: [] as string[] };
const FAST = [{ name: 'projected', env: {}, args: [] as string[] }];

function run(program: string, variant: typeof PLAIN): string {
  return execFileSync(join(ROOT, 'bin/sluice'), [...variant.args, program, ndjson], {
    env: { ...process.env, ...variant.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

describe('benchmark smoke run: the fast paths give the plain path\'s bytes', () => {
  for (const [task, program] of Object.entries(TASKS)) {
    it(`${task} ${program}`, () => {
      const plain = run(program, PLAIN);
      expect(plain.split('\n').length).toBeGreaterThan(2);
      for (const v of FAST) expect(run(program, v), v.name).toBe(plain);
    });
  }
});
