// The CI-safe smoke run of the benchmark's tasks on worker threads (issue #13): the same events
// as bench/gen.mjs writes, few of them, every task's program run with --threads 1 and with
// --threads 2 on small chunks (SLUICE_THREAD_CHUNK), and the bytes compared. No timing here: the
// times are bench/threads.mjs's. Needs `npm run build`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../bin/sluice');
const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const { events } = (await import('../../bench/gen.mjs')) as { events(n: number): Iterable<Record<string, string | number>> };
  const lines: string[] = [];
  const rows = ['ts,epoch_ms,service,path,method,status,latency_ms,user,region,bytes'];
  for (const e of events(20_000)) {
    lines.push(JSON.stringify(e));
    rows.push([e.ts, e.epoch_ms, e.service, e.path, e.method, e.status, e.latency_ms, e.user, e.region, e.bytes].join(','));
  }
  writeFileSync(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'events.csv'), `${rows.join('\n')}\n`);
});

const TASKS: [string, string[]][] = [
  ['T1', ['where status >= 500', 'events.ndjson']],
  ['T2', ['count() by service', 'events.ndjson']],
  ['T3', ['window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service', 'events.ndjson']],
  ['T4', ['p95(latency_ms) by path', 'events.ndjson']],
  ['T5', ['where status >= 500 | select ts, service, path, latency_ms', '-O', 'csv', 'events.csv']],
];

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(BIN, args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('the benchmark tasks on two threads', () => {
  for (const [task, args] of TASKS) {
    it(`${task} gives the bytes of one thread`, () => {
      const one = run(['--threads', '1', ...args]);
      expect(one.status).toBe(0);
      expect(one.stdout.length).toBeGreaterThan(0);
      expect(run(['--threads', '2', ...args], { SLUICE_THREAD_CHUNK: '65536' })).toEqual(one);
    });
  }
});
