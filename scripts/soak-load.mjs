#!/usr/bin/env node
// `npm run soak:load`: big final outputs on a big input (issue #16, item 1). Writes N records
// (default 5 M, about 590 MB) to a temporary directory, then runs sort (which spills past
// --sort-buffer), an aggregate by N keys, tail and top over it with bin/sluice, checks each output
// as it streams by (count, order, stability), checks that sort's temporary files are gone after
// a run and after an interrupt, and prints the time and peak RSS of each run.
//
//   node scripts/soak-load.mjs [--n 5000000] [--keep]
//
// Minutes and GBs: not part of `npm test`.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'sluice');
const args = process.argv.slice(2);
const N = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 5_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-soak-load-'));
const sortTmp = join(dir, 'sort-tmp');
const input = join(dir, 'big.ndjson');
let failures = 0;

function check(ok, what) {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

async function generate() {
  const out = createWriteStream(input);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const services = ['api', 'auth', 'billing', 'search', 'web'];
  const t0 = Date.parse('2024-05-01T00:00:00Z');
  let buf = '';
  for (let i = 0; i < N; i++) {
    buf += `{"id":${i},"ts":"${new Date(t0 + i * 10).toISOString()}","service":"${services[i % 5]}","path":"/v1/items/${i % 997}","status":${rand() < 0.02 ? 500 : 200},"latency_ms":${Math.floor(rand() * 5000)}}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
}

/** Run sluice; each stdout line goes to `onLine`; peak RSS from /proc. */
function run(argv, onLine, { killAfterMs = null } = {}) {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, TMPDIR: sortTmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const poll = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch { /* gone */ }
    }, 100);
    const kill = killAfterMs === null ? null : setTimeout(() => child.kill('SIGINT'), killAfterMs);
    createInterface({ input: child.stdout }).on('line', onLine);
    child.on('close', (code) => {
      clearInterval(poll);
      if (kill) clearTimeout(kill);
      done({ code, stderr, seconds: (performance.now() - t0) / 1000, peakMB: Math.round(peak / 2 ** 20) });
    });
  });
}

const fmt = (r) => `${r.seconds.toFixed(1)} s, peak RSS ${r.peakMB} MB, exit ${r.code}`;

try {
  const g0 = performance.now();
  await generate();
  rmSync(sortTmp, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(sortTmp);
  console.log(`input: ${N} records, ${(statSync(input).size / 2 ** 20).toFixed(0)} MB, made in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

  // sort: every record once, by latency_ms, ties in input order (stable)
  {
    let n = 0;
    let prev = -1;
    let prevId = -1;
    let inOrder = true;
    const r = await run(['sort latency_ms', input], (line) => {
      const i = line.indexOf('"id":');
      const id = Number(line.slice(i + 5, line.indexOf(',', i)));
      const l = Number(line.slice(line.indexOf('"latency_ms":') + 13, -1));
      if (l < prev || (l === prev && id < prevId)) inOrder = false;
      prev = l;
      prevId = id;
      n++;
    });
    check(r.code === 0 && n === N && inOrder, `sort latency_ms: ${n} records, sorted and stable: ${fmt(r)}${r.stderr ? ` stderr: ${r.stderr.trim()}` : ''}`);
    check(readdirSync(sortTmp).length === 0, 'sort left no temporary files');
  }

  // an aggregate by N keys: one result per key, in order of first appearance
  {
    let n = 0;
    let inOrder = true;
    const r = await run(['count() by id', input], (line) => {
      if (line !== `{"id":${n},"count":1}`) inOrder = false;
      n++;
    });
    check(r.code === 0 && n === N && inOrder, `count() by id: ${n} results in order: ${fmt(r)}${r.stderr ? ` stderr: ${r.stderr.trim()}` : ''}`);
  }

  for (const program of ['tail 3', 'top 3 by latency_ms']) {
    let n = 0;
    const r = await run([program, input], () => { n++; });
    check(r.code === 0 && n === 3, `${program}: ${n} records: ${fmt(r)}`);
  }

  // interrupted while sort holds (and has spilled) records: nothing written, counted on stderr, temporary files gone
  {
    let n = 0;
    const r = await run(['sort latency_ms', input], () => { n++; }, { killAfterMs: 8000 });
    check(r.code === 130 && n === 0 && /interrupted: \d+ records? held by sort/.test(r.stderr),
      `sort interrupted after 8 s: exit ${r.code}, ${n} records written, stderr: ${r.stderr.trim()}`);
    check(readdirSync(sortTmp).length === 0, 'the interrupted sort left no temporary files');
  }
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
console.log(failures === 0 ? 'soak:load passed' : `soak:load: ${failures} failed`);
process.exitCode = failures === 0 ? 0 : 1;
