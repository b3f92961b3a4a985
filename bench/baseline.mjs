#!/usr/bin/env node
// The "hand-written Node loop": the simplest plain-Node program for each benchmark task.
// It is the floor sluice is measured against: what a user would get by writing the loop
// themselves, with no language, no operators, no error handling beyond the task.
//
//   node bench/baseline.mjs T1|T2|T3|T3ISO|T4|T5 [FILE]
//
//   T1  NDJSON: write back the lines whose status >= 500
//   T2  NDJSON: count per service            -> {"service":…,"count":…}
//   T3  NDJSON: count and mean latency per (minute of epoch_ms, service)
//       -> {"minute":…,"service":…,"count":…,"avg_latency_ms":…}
//   T3ISO  the same with the minute read from the ISO-8601 ts (Date.parse)
//   T4  NDJSON: p95(latency_ms) per path     -> {"path":…,"p95_latency_ms":…}
//       non-interpolated, as Miller and sluice: sorted[floor(0.95 * n)], clamped to n - 1
//   T5  CSV: status >= 500, columns ts,service,path,latency_ms (naive split on ',': the
//       benchmark CSV never quotes, so this is the simplest correct loop for that file)
//
// FILE defaults to bench/data/events.ndjson (T1, T2, T4) or bench/data/events.csv (T5).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const task = process.argv[2];
const file =
  process.argv[3] ?? path.join(HERE, 'data', task === 'T5' ? 'events.csv' : 'events.ndjson');

// Line reader: 1 MiB reads, utf8, split by hand on '\n'.
async function eachLine(fn) {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  stream.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const buf = rest + chunk;
    let start = 0;
    let nl;
    while ((nl = buf.indexOf('\n', start)) !== -1) {
      if (nl > start) fn(buf.slice(start, nl));
      start = nl + 1;
    }
    rest = buf.slice(start);
    if (out.length >= 1 << 20) await flush();
  }
  if (rest.length) fn(rest);
}

// Buffered stdout that respects backpressure: emit() appends, the reader flushes between
// chunks once 1 MiB is pending.
let out = '';
function emit(s) {
  out += s;
}
function flush() {
  const s = out;
  out = '';
  if (!s) return Promise.resolve();
  return new Promise((resolve) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

async function t1() {
  await eachLine((line) => {
    if (JSON.parse(line).status >= 500) emit(line + '\n');
  });
}

async function t2() {
  const counts = new Map();
  await eachLine((line) => {
    const s = JSON.parse(line).service;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  });
  for (const [service, count] of counts) emit(JSON.stringify({ service, count }) + '\n');
}

function perMinute(minuteOf) {
  return async () => {
    const groups = new Map();
    await eachLine((line) => {
      const e = JSON.parse(line);
      const minute = Math.floor(minuteOf(e) / 60000);
      const k = minute + '|' + e.service;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { minute, service: e.service, count: 0, sum: 0 }));
      g.count++;
      g.sum += e.latency_ms;
    });
    for (const g of groups.values()) {
      emit(JSON.stringify({ minute: g.minute, service: g.service, count: g.count, avg_latency_ms: g.sum / g.count }) + '\n');
    }
  };
}
const t3 = perMinute((e) => e.epoch_ms);
const t3iso = perMinute((e) => Date.parse(e.ts));

async function t4() {
  const byPath = new Map();
  await eachLine((line) => {
    const e = JSON.parse(line);
    let a = byPath.get(e.path);
    if (!a) byPath.set(e.path, (a = []));
    a.push(e.latency_ms);
  });
  for (const [p, a] of byPath) {
    a.sort((x, y) => x - y);
    const i = Math.min(Math.floor(0.95 * a.length), a.length - 1);
    emit(JSON.stringify({ path: p, p95_latency_ms: a[i] }) + '\n');
  }
}

async function t5() {
  let header = null;
  let idx;
  let statusIdx;
  const want = ['ts', 'service', 'path', 'latency_ms'];
  await eachLine((line) => {
    const f = line.split(',');
    if (header === null) {
      header = f;
      idx = want.map((w) => header.indexOf(w));
      statusIdx = header.indexOf('status');
      emit(want.join(',') + '\n');
      return;
    }
    if (Number(f[statusIdx]) >= 500) {
      emit(f[idx[0]] + ',' + f[idx[1]] + ',' + f[idx[2]] + ',' + f[idx[3]] + '\n');
    }
  });
}

const tasks = { T1: t1, T2: t2, T3: t3, T3ISO: t3iso, T4: t4, T5: t5 };
if (!tasks[task]) {
  console.error('usage: node bench/baseline.mjs T1|T2|T3|T3ISO|T4|T5 [FILE]');
  process.exit(2);
}
await tasks[task]();
await flush();
