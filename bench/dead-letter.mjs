#!/usr/bin/env node
// What --dead-letter costs: N lines of NDJSON (default 1M) of which one in ten is bad (cut
// short), run through `where true` with --on-error skip and with --dead-letter FILE, median
// wall and CPU time of R runs each (interleaved), and their ratio. The aim is a ratio within
// 1.5: the dead-letter file is a real sink (awaited, backpressured), not a growing queue.
// Also 200k lines that are all bad, the case that used to go quadratic. Output: a Markdown
// table on stdout; every dead-letter file is checked to hold exactly the bad lines.
//
//   node bench/dead-letter.mjs [--n 1000000] [--runs 3]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--n', 1_000_000);
const RUNS = arg('--runs', 3);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = path.join(ROOT, 'bench', 'data');
const sluice = path.join(ROOT, 'bin', 'sluice');
fs.mkdirSync(DIR, { recursive: true });

function makeInput(file, n, badEvery) {
  if (fs.existsSync(file)) return;
  const out = fs.openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const line = JSON.stringify({ id: i, service: `svc${i % 12}`, status: 200 + (i % 7), latency_ms: (i % 997) / 10 });
    chunk += (i % badEvery === badEvery - 1 ? line.slice(0, 20) : line) + '\n';
    if (chunk.length > 1 << 20) { fs.writeSync(out, chunk); chunk = ''; }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
}

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', sluice, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const last = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (r.status !== 0) throw new Error(`sluice ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { wall: last[0], cpu: last[1] + last[2], rssMb: last[3] / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const [label, n, badEvery] of [[`${N} lines, 10% bad`, N, 10], [`${N / 5} lines, all bad`, N / 5, 1]]) {
  const input = path.join(DIR, `dead-letter-${n}-${badEvery}.ndjson`);
  makeInput(input, n, badEvery);
  const dl = path.join(DIR, 'dead-letter.out');
  const got = { skip: [], dead: [] };
  for (let r = 0; r < RUNS; r++) {
    got.skip.push(timed(['--on-error', 'skip', 'where true', input]));
    got.dead.push(timed(['--dead-letter', dl, 'where true', input]));
    const lines = fs.readFileSync(dl, 'utf8').split('\n').length - 1;
    const want = Math.floor(n / badEvery);
    if (lines !== want) throw new Error(`${label}: the dead-letter file holds ${lines} lines, not ${want}`);
  }
  fs.rmSync(dl, { force: true });
  const m = (k, f) => median(got[k].map((x) => x[f]));
  rows.push(`| ${label} | ${m('skip', 'wall').toFixed(2)} | ${m('dead', 'wall').toFixed(2)} | ${(m('dead', 'wall') / m('skip', 'wall')).toFixed(2)}× | ` +
    `${m('skip', 'cpu').toFixed(2)} | ${m('dead', 'cpu').toFixed(2)} | ${(m('dead', 'cpu') / m('skip', 'cpu')).toFixed(2)}× | ${m('skip', 'rssMb').toFixed(0)} | ${m('dead', 'rssMb').toFixed(0)} |`);
}
console.log(`node bench/dead-letter.mjs --n ${N} --runs ${RUNS}; median of ${RUNS}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
console.log('| input | skip wall (s) | --dead-letter wall (s) | ratio | skip CPU (s) | --dead-letter CPU (s) | ratio | skip RSS (MB) | --dead-letter RSS (MB) |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows) console.log(r);
