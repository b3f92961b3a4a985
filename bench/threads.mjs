#!/usr/bin/env node
// --threads 1 against --threads N on the benchmark's tasks (issue #13, way 2): wall time, CPU time
// (user + system, all threads) and peak RSS of each, medians of --runs, the load average beside
// them (the machine may be shared: CPU seconds say more than wall time then), and a check that
// every run wrote the same bytes. With --ref BIN the outputs are also compared with another build
// (main's), which must give the same bytes on one thread.
//
//   node bench/threads.mjs [--n 1000000] [--runs 3] [--threads 2] [--tasks T1,T2,T3,T4,T5] [--ref /work/main/bin/sluice]
//
// Build first (npm run build). Plain Node ESM; reads the data bench/gen.mjs writes.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureData, NDJSON_PATH, CSV_PATH, DATA_DIR } from './gen.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = path.join(ROOT, 'bin', 'sluice');

const TASKS = {
  T1: ['where status >= 500', NDJSON_PATH],
  T2: ['count() by service', NDJSON_PATH],
  T3: ['window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service', NDJSON_PATH],
  T4: ['p95(latency_ms) by path', NDJSON_PATH],
  T5: ['where status >= 500 | select ts, service, path, latency_ms', '-O', 'csv', CSV_PATH],
};

const o = { n: 1_000_000, runs: 3, threads: 2, tasks: ['T1', 'T2', 'T3', 'T4', 'T5'], ref: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const [k, v] = [argv[i], argv[i + 1]];
  if (k === '--n') o.n = Number(v.replace(/k$/i, '000').replace(/m$/i, '000000'));
  else if (k === '--runs') o.runs = Number(v);
  else if (k === '--threads') o.threads = Number(v);
  else if (k === '--tasks') o.tasks = v.split(',');
  else if (k === '--ref') o.ref = v;
  else { console.error(`unknown option ${k}`); process.exit(2); }
}

await ensureData({ n: o.n });
const outDir = path.join(DATA_DIR, 'out');
fs.mkdirSync(outDir, { recursive: true });

/** One run: wall s, CPU s (user + sys, children included), peak RSS MB, and the output file. */
function once(bin, args, out) {
  const fd = fs.openSync(out, 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', bin, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
  fs.closeSync(fd);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: status ${r.status}\n${r.stderr}`);
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys, rss: rss / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const same = (a, b) => fs.readFileSync(a).equals(fs.readFileSync(b));

const rows = [];
for (const task of o.tasks) {
  const args = TASKS[task];
  const res = { 1: [], [o.threads]: [] };
  let identical = true;
  const first = path.join(outDir, `${task}.threads1.out`);
  for (let r = 0; r < o.runs; r++) {
    // alternate, so that both see the same load
    for (const t of [1, o.threads]) {
      const out = path.join(outDir, `${task}.threads${t}.out`);
      res[t].push(once(SLUICE, ['--threads', String(t), ...args], out));
      identical &&= same(first, out);
    }
  }
  let ref = '';
  if (o.ref) {
    const out = path.join(outDir, `${task}.ref.out`);
    once(o.ref, args, out);
    ref = same(first, out) ? 'same' : 'DIFFERENT';
  }
  const m = (t, k) => median(res[t].map((x) => x[k]));
  rows.push({ task, identical, ref, w1: m(1, 'wall'), wN: m(o.threads, 'wall'), c1: m(1, 'cpu'), cN: m(o.threads, 'cpu'), r1: m(1, 'rss'), rN: m(o.threads, 'rss') });
}

const f = (x, d = 2) => x.toFixed(d);
const N = o.threads;
const lines = [
  `${o.n} records, ${o.runs} runs each (medians), ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((x) => f(x)).join(' ')}`,
  '',
  `| task | wall 1 (s) | wall ${N} (s) | speed-up | CPU 1 (s) | CPU ${N} (s) | CPU ratio | RSS 1 (MB) | RSS ${N} (MB) | same bytes${o.ref ? ' | as ref' : ''} |`,
  `|---|---|---|---|---|---|---|---|---|---${o.ref ? '|---' : ''}|`,
  ...rows.map((r) => `| ${r.task} | ${f(r.w1)} | ${f(r.wN)} | ${f(r.w1 / r.wN)}× | ${f(r.c1)} | ${f(r.cN)} | ${f(r.cN / r.c1)}× | ${f(r.r1, 0)} | ${f(r.rN, 0)} | ${r.identical ? 'yes' : 'NO'}${o.ref ? ` | ${r.ref}` : ''} |`),
];
console.log(lines.join('\n'));
if (rows.some((r) => !r.identical || r.ref === 'DIFFERENT')) process.exit(1);
