#!/usr/bin/env node
// Memory of a windowed aggregate: N records (default 10M), one every 6 ms of event time, over
// 1,000 keys, through `window tumbling 1m on t | count(), avg(v) by k`. Only the open windows
// should be held, so peak RSS must not grow with N: compare --n 1000000 with --n 10000000.
//
//   node bench/window-rss.mjs [--n 10000000]

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--n', 10_000_000);
const sluice = fileURLToPath(new URL('../bin/sluice', import.meta.url));

const child = spawn('/usr/bin/time', ['-f', '%M %e %U', sluice, 'window tumbling 1m on t | count(), avg(v) by k'], {
  stdio: ['pipe', 'pipe', 'pipe'],
});
let results = 0;
let tail = '';
child.stdout.on('data', (b) => {
  const s = tail + b.toString();
  const lines = s.split('\n');
  tail = lines.pop();
  results += lines.length;
});
let err = '';
child.stderr.on('data', (b) => (err += b));

const t0 = 1_714_564_800_000;
const BATCH = 10_000;
for (let i = 0; i < N; i += BATCH) {
  let chunk = '';
  for (let j = i; j < Math.min(N, i + BATCH); j++) chunk += `{"t":${t0 + j * 6},"k":"key${j % 1000}","v":${j % 97}}\n`;
  if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
}
child.stdin.end();
await new Promise((r) => child.on('close', r));
const [rssKb, wall, user] = err.trim().split('\n').pop().split(' ').map(Number);
console.log(`records ${N}  windows*keys out ${results}  peak RSS ${(rssKb / 1024).toFixed(0)} MiB  wall ${wall} s  user ${user} s  ${Math.round(N / wall)} records/s`);
