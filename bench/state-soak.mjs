#!/usr/bin/env node
// The big cases of bounded state (issues #15.6, #16.8, #16.10), too slow for `npm test`: run by
// `npm run soak:state` after a build. Each case runs bin/sluice on generated input, checks the exit
// status and what stderr says (never a V8 crash dump), and prints its figures: wall time, peak RSS.
//
//   node bench/state-soak.mjs [--keys 5000000] [--sessions 100000]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = path.join(ROOT, 'bin', 'sluice');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-soak-state-'));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYS = arg('--keys', 5_000_000);
const SESSIONS = arg('--sessions', 100_000);
const HAVE_TIME = fs.existsSync('/usr/bin/time');

function write(name, n, line) {
  const file = path.join(TMP, name);
  const fd = fs.openSync(file, 'w');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += line(i) + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return file;
}

let failed = 0;
function run(title, args, { env = {}, status, err }) {
  const cmd = HAVE_TIME ? '/usr/bin/time' : SLUICE;
  const argv = HAVE_TIME ? ['-f', '%M', SLUICE, ...args] : args;
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const s = (performance.now() - t0) / 1000;
  const lines = r.stderr.trim().split('\n');
  const rss = HAVE_TIME ? `${Math.round(Number(lines.pop()) / 1024)} MB` : '?';
  const stderr = lines.join('\n');
  const ok = r.status === status && (err === undefined || err.test(stderr)) && !/FATAL ERROR|Native stack/.test(stderr);
  if (!ok) failed++;
  console.log(`| ${title} | ${r.status} | ${s.toFixed(1)} s | ${rss} | ${ok ? 'ok' : `FAILED: ${stderr.slice(0, 300)}`} |`);
}

console.log('| case | exit | wall | peak RSS | |\n|---|---|---|---|---|');
const T0 = 1714564800000;
const sessions = write('sessions.ndjson', SESSIONS, (i) => `{"ts":${T0 + i * 1000},"user":"u${i}"}`);
run(`${SESSIONS} sessions open at once (gap 1d, one per user)`, ['window session 1d on ts | count() by user', sessions], { status: 0 });
run(`${SESSIONS} records, sessions of 1h (3600 open)`, ['window session 1h on ts | count() by user', sessions], { status: 0 });
const keys = write('keys.ndjson', KEYS, (i) => `{"user":"user${i}"}`);
run(`count() by user, ${KEYS} keys`, ['count() by user', keys], { status: 0 });
run(`count() by user, ${KEYS} keys, --max-old-space-size=200`, ['count() by user', keys], {
  env: { NODE_OPTIONS: '--max-old-space-size=200' }, status: 75, err: /^sluice: count\(\) by user: out of memory: \d+ groups held, the heap is at \d+ MB of its 200 MB limit/,
});
run('count() by user, --max-state 1000000', ['--max-state', '1000000', 'count() by user', keys], { status: KEYS > 1_000_000 ? 75 : 0 });
const forty = write('forty.ndjson', 40, (i) => `{"ts":${T0 + i * 1000}}`);
run('window sliding 1h every 1ms over 40 lines', ['window sliding 1h every 1ms on ts | count()', forty], { status: 2, err: /puts each record in 3600000 windows/ });
run('window sliding 1h every 360ms over 40 lines', ['window sliding 1h every 360ms on ts | count()', forty], { status: 0 });
fs.rmSync(TMP, { recursive: true, force: true });
if (failed > 0) {
  console.log(`${failed} case(s) failed`);
  process.exit(1);
}
