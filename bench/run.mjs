#!/usr/bin/env node
// sluice throughput benchmark against jq, Miller and a hand-written Node loop.
//
//   node bench/run.mjs [--n 1000000] [--tasks T1,T2,T3,T3ISO,T4,T5] [--runs 3] [--budget 20]
//                      [--tools sluice,sluice2,jq,mlr,baseline] [--timeout 600] [--no-startup]
//                      [--sluice bin/sluice] [--seed 42]
//
// See bench/README.md. Prints a Markdown report to stdout and writes
// bench/data/results.md and bench/data/results.json. Plain Node ESM, no dependencies.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eachOption, ensureData, parseIntOption, NDJSON_PATH, CSV_PATH, DATA_DIR, DEFAULT_N, DEFAULT_SEED } from './gen.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const OUT_DIR = path.join(DATA_DIR, 'out');
const rel = (p) => path.relative(ROOT, p) || '.';

// ------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const o = {
    n: DEFAULT_N,
    seed: DEFAULT_SEED,
    tasks: ['T1', 'T2', 'T3', 'T3ISO', 'T4', 'T5'],
    tools: ['sluice', 'sluice2', 'jq', 'mlr', 'baseline'],
    runs: 3,
    budget: 20,
    timeout: 600,
    startup: true,
    sluice: 'bin/sluice',
  };
  eachOption(argv, (name, val, a) => {
    switch (name) {
      case '--n': o.n = parseIntOption(val(), '--n'); break;
      case '--seed': o.seed = parseIntOption(val(), '--seed'); break;
      case '--runs': o.runs = parseIntOption(val(), '--runs'); break;
      case '--budget': o.budget = Number(val()); break;
      case '--timeout': o.timeout = Number(val()); break;
      case '--tasks': o.tasks = val().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean); break;
      case '--tools': o.tools = val().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((t) => (t === 'miller' ? 'mlr' : t)); break;
      case '--sluice': o.sluice = val(); break;
      case '--no-startup': o.startup = false; break;
      case '-h':
      case '--help':
        console.log(
          'usage: node bench/run.mjs [--n 1000000] [--tasks T1,T2,T3,T3ISO,T4,T5] [--runs 3] [--budget 20]\n' +
            '                          [--tools sluice,sluice2,jq,mlr,baseline] [--timeout 600] [--no-startup]\n' +
            '                          [--sluice bin/sluice] [--seed 42]\n' +
            '  --runs N      timed runs per command (median reported)\n' +
            '  --budget S    stop repeating a command once its runs add up to S seconds (>= 1 run); 0 = always --runs\n' +
            '  --timeout S   kill a single run after S seconds',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (try --help)`);
    }
  });
  for (const t of o.tasks) if (!TASKS[t]) throw new Error(`unknown task ${t} (tasks: ${Object.keys(TASKS).join(', ')})`);
  for (const t of o.tools) if (!TOOL_NAMES[t]) throw new Error(`unknown tool ${t} (tools: ${Object.keys(TOOL_NAMES).join(', ')})`);
  if (!(o.budget >= 0)) throw new Error('--budget must be >= 0');
  if (!(o.timeout > 0)) throw new Error('--timeout must be > 0');
  return o;
}

// ------------------------------------------------------------------------------------------
// the tasks: the same logical job for every tool

// sluice2: the same sluice on two threads (--threads 2), for the tasks that use them (all but the CSV one)
const TOOL_NAMES = { sluice: 'sluice', sluice2: 'sluice --threads 2', jq: 'jq', mlr: 'Miller', baseline: 'baseline (Node loop)' };
const TOOL_ORDER = ['sluice', 'sluice2', 'jq', 'mlr', 'baseline'];
const BASELINE = path.join(HERE, 'baseline.mjs');

// P95_JQ: non-interpolated p95, sorted[floor(0.95 n)] clamped to n - 1 (Miller's and sluice's rule)
const P95_JQ = '.[([(length * 0.95 | floor), length - 1] | min)]';

// JQ_PER_MINUTE(minuteExpr): count and mean latency per (minute, service) as a tumbling window
// in jq: the events are in time order, so one pass keeps only the current minute's groups and
// writes them when the minute changes (and at the end: `inputs, null`). The obvious
// `reduce inputs as $e ({}; .["minute|service"] += …)` is quadratic in jq 1.6 with thousands
// of keys (it copies the object on every update: 511 s at 1M events), which is not a fair peer.
const JQ_PER_MINUTE = (minute) =>
  'foreach (inputs, null) as $e ({m: null, g: {}, out: null}; ' +
  'if $e == null then .out = (if .m == null then null else [.m, .g] end) ' +
  `else (${minute}) as $m | (if .m != null and $m != .m then .out = [.m, .g] | .g = {} else .out = null end) | .m = $m ` +
  '| .g[$e.service] |= {count: (.count + 1), sum: (.sum + $e.latency_ms)} end; ' +
  '.out // empty | .[0] as $m | .[1] | to_entries[] | {minute: $m, service: .key, count: .value.count, avg_latency_ms: (.value.sum / .value.count)})';

const TASKS = {
  T1: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 2 },
    title: 'where status >= 500',
    input: 'ndjson',
    check: 'json-records',
    cmd: {
      sluice: (s) => [s, 'where status >= 500', NDJSON_PATH],
      sluice2: (s) => [s, '--threads', '2', 'where status >= 500', NDJSON_PATH],
      jq: () => ['jq', '-c', 'select(.status >= 500)', NDJSON_PATH],
      mlr: () => ['mlr', '--ijsonl', '--ojsonl', 'filter', '$status >= 500', NDJSON_PATH],
      baseline: () => ['node', BASELINE, 'T1', NDJSON_PATH],
    },
  },
  T2: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 2 },
    title: 'count() by service',
    input: 'ndjson',
    check: 'keyed',
    key: 'service',
    tolerance: 0,
    cmd: {
      sluice: (s) => [s, 'count() by service', NDJSON_PATH],
      sluice2: (s) => [s, '--threads', '2', 'count() by service', NDJSON_PATH],
      // streaming reduce: ~2x faster than `-s group_by` and constant memory
      jq: () => ['jq', '-n', '-c', 'reduce inputs as $e ({}; .[$e.service] += 1) | to_entries[] | {service: .key, count: .value}', NDJSON_PATH],
      mlr: () => ['mlr', '--ijsonl', '--ojsonl', 'count', '-g', 'service', NDJSON_PATH],
      baseline: () => ['node', BASELINE, 'T2', NDJSON_PATH],
    },
  },
  // T3: a tumbling window of a minute on event time, against jq and Miller grouping by a
  // computed minute (the fair equivalent: the data are in time order, so nothing is late and
  // every window holds exactly the events of its minute). T3ISO reads the time from the
  // ISO-8601 string: sluice parses it in full; jq and Miller take its first 16 characters,
  // the cheapest correct grouping for this file's UTC 'Z' stamps.
  T3: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 1.5 },
    title: 'window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service',
    input: 'ndjson',
    check: 'windowed',
    cmd: {
      sluice: (s) => [s, 'window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service', NDJSON_PATH],
      sluice2: (s) => [s, '--threads', '2', 'window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service', NDJSON_PATH],
      jq: () => ['jq', '-n', '-c', JQ_PER_MINUTE('$e.epoch_ms / 60000 | floor'), NDJSON_PATH],
      mlr: () => ['mlr', '--ijsonl', '--ojsonl', 'put', '$minute = int($epoch_ms / 60000)', 'then', 'stats1', '-a', 'count,mean', '-f', 'latency_ms', '-g', 'minute,service', NDJSON_PATH],
      baseline: () => ['node', BASELINE, 'T3', NDJSON_PATH],
    },
  },
  T3ISO: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 1.5 },
    title: 'window tumbling 1m on ts | count(), avg(latency_ms) by service (ts ISO-8601)',
    input: 'ndjson',
    check: 'windowed',
    cmd: {
      sluice: (s) => [s, 'window tumbling 1m on ts | count(), avg(latency_ms) by service', NDJSON_PATH],
      sluice2: (s) => [s, '--threads', '2', 'window tumbling 1m on ts | count(), avg(latency_ms) by service', NDJSON_PATH],
      jq: () => ['jq', '-n', '-c', JQ_PER_MINUTE('$e.ts[0:16]'), NDJSON_PATH],
      mlr: () => ['mlr', '--ijsonl', '--ojsonl', 'put', '$minute = substr0($ts, 0, 15)', 'then', 'stats1', '-a', 'count,mean', '-f', 'latency_ms', '-g', 'minute,service', NDJSON_PATH],
      baseline: () => ['node', BASELINE, 'T3ISO', NDJSON_PATH],
    },
  },
  T4: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 1.5 },
    title: 'p95(latency_ms) by path',
    input: 'ndjson',
    check: 'keyed',
    key: 'path',
    tolerance: 0.01,
    cmd: {
      sluice: (s) => [s, 'p95(latency_ms) by path', NDJSON_PATH],
      sluice2: (s) => [s, '--threads', '2', 'p95(latency_ms) by path', NDJSON_PATH],
      // -s group_by: the streaming form (reduce appending to arrays) is quadratic in jq 1.6
      jq: () => ['jq', '-s', '-c', `group_by(.path)[] | {path: .[0].path, p95: (map(.latency_ms) | sort | ${P95_JQ})}`, NDJSON_PATH],
      mlr: () => ['mlr', '--ijsonl', '--ojsonl', 'stats1', '-a', 'p95', '-f', 'latency_ms', '-g', 'path', NDJSON_PATH],
      baseline: () => ['node', BASELINE, 'T4', NDJSON_PATH],
    },
  },
  T5: {
    // issue #13's goal: the peer's wall time over sluice's at least this
    goal: { baseline: 1, mlr: 1 },
    title: 'CSV: where status >= 500 | select ts, service, path, latency_ms',
    input: 'csv',
    check: 'csv-records',
    header: 'ts,service,path,latency_ms',
    cmd: {
      sluice: (s) => [s, 'where status >= 500 | select ts, service, path, latency_ms', '-O', 'csv', CSV_PATH],
      jq: null, // jq has no CSV reader
      mlr: () => ['mlr', '--icsv', '--ocsv', 'filter', '$status >= 500', 'then', 'cut', '-o', '-f', 'ts,service,path,latency_ms', CSV_PATH],
      baseline: () => ['node', BASELINE, 'T5', CSV_PATH],
    },
  },
};

// issue #13's memory goal: single-thread sluice's peak RSS no higher than this, per task. Recorded
// from bench/data/results.json of 2026-11-27 (1M events, Node 20, before the start-up work): a
// change that makes a task hold more shows as a 'no' in the Goals table.
const PEAK_RSS_BASELINE_MB = { T1: 139.2, T2: 132.6, T3: 134.1, T3ISO: 129.2, T4: 143.8, T5: 132.1 };
// peak RSS moves by a megabyte or two from run to run: a run this close above the recorded figure says so
const PEAK_RSS_NOISE = 0.02;

// ------------------------------------------------------------------------------------------
// helpers

function shellQuote(a) {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a)) return a;
  return "'" + a.replace(/'/g, `'\\''`) + "'";
}
const shellJoin = (argv) => argv.map((a) => shellQuote(a.startsWith(ROOT + '/') ? rel(a) : a)).join(' ');

function which(cmd) {
  if (cmd.includes('/')) {
    const p = path.resolve(ROOT, cmd);
    return fs.existsSync(p) ? p : null;
  }
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

function version(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10000 });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim().split('\n')[0];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function fmtRate(r) {
  if (!Number.isFinite(r)) return '–';
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(0)} k/s`;
  return `${r.toFixed(0)} /s`;
}
const cellText = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fmtS = (s) => (Number.isFinite(s) ? s.toFixed(2) : '–');
const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

function warmCache(file) {
  // read the input once so every tool starts with it in the page cache
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd);
}

const HAVE_TIME = fs.existsSync('/usr/bin/time');

/** Run argv once, stdout to outPath. Wall time from the harness; CPU and peak RSS from /usr/bin/time. */
function runOnce(argv, outPath, timeoutS) {
  return new Promise((resolve) => {
    const timeFile = outPath + '.time';
    try { fs.unlinkSync(timeFile); } catch {}
    const full = HAVE_TIME ? ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, ...argv] : argv;
    const outFd = fs.openSync(outPath, 'w');
    let stderr = '';
    let timedOut = false;
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(full[0], full.slice(1), { cwd: ROOT, stdio: ['ignore', outFd, 'pipe'], detached: true });
    } catch (err) {
      fs.closeSync(outFd);
      resolve({ ok: false, code: null, error: err.message, stderr: '' });
      return;
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      if (stderr.length < 65536) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, timeoutS * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      fs.closeSync(outFd);
      resolve({ ok: false, code: null, error: err.message, stderr });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      fs.closeSync(outFd);
      let user = NaN, sys = NaN, rssKB = NaN;
      try {
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        [user, sys, rssKB] = lines[lines.length - 1].split(/\s+/).map(Number);
        fs.unlinkSync(timeFile);
      } catch {}
      if (timedOut) {
        resolve({ ok: false, code, error: `timed out after ${timeoutS}s`, stderr });
      } else if (code !== 0 || signal) {
        resolve({ ok: false, code, signal, stderr, wall });
      } else {
        resolve({ ok: true, code, wall, user, sys, rssKB, stderr });
      }
    });
  });
}

function failureText(r) {
  const lines = (r.stderr || '').split('\n').map((l) => l.trim()).filter(Boolean);
  let first = lines[0] || '';
  // a Node crash starts with the source position ("file:///…/x.js:6"): add the error line
  if (/^(file:\/\/|\/|node:)\S*:\d+$/.test(first)) {
    const err = lines.find((l) => /^[A-Za-z]*Error\b|^Error:/.test(l));
    if (err) first += ` ${err}`;
  }
  const why = r.error ? r.error : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  return `failed (${why}${first ? `, ${first.slice(0, 160)}` : ''})`;
}

// ------------------------------------------------------------------------------------------
// correctness: normalise each tool's output, compare with the reference

function parseJsonLines(text) {
  const recs = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l) continue;
    try {
      recs.push(JSON.parse(l));
    } catch {
      throw new Error(`output line ${i + 1} is not JSON: ${l.slice(0, 80)}`);
    }
  }
  return recs;
}

function normNum(s) {
  return s !== '' && Number.isFinite(Number(s)) ? String(Number(s)) : s;
}

/**
 * The minute (epoch minutes) of a windowed result: sluice's window_start (ISO-8601, or epoch ms
 * with --time-format-out epoch_ms), or a peer's computed minute (epoch minutes as a number or
 * text, or the 'YYYY-MM-DDTHH:MM' prefix of an ISO stamp).
 */
function minuteOf(v) {
  let m = NaN;
  if (typeof v === 'number') m = v > 1e11 ? v / 60000 : v;
  else if (typeof v === 'string') m = /^\d+$/.test(v) ? Number(v) : Date.parse(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? v + 'Z' : v) / 60000;
  if (!Number.isInteger(m)) throw new Error(`cannot read a whole minute from ${JSON.stringify(v)}`);
  return m;
}

/** Returns { count, summary, data } where data is what compare() uses. Throws on unreadable output. */
function digest(task, text) {
  if (task.check === 'windowed') {
    // { "minute|service": { count, avg } } from sluice's, jq's, Miller's or the baseline's names
    const map = new Map();
    for (const r of parseJsonLines(text)) {
      if (r === null || typeof r !== 'object') throw new Error(`output record is not an object: ${JSON.stringify(r)}`);
      const count = r.count ?? r.latency_ms_count;
      const avg = r.avg_latency_ms ?? r.latency_ms_mean;
      if (typeof r.service !== 'string' || typeof count !== 'number' || typeof avg !== 'number') {
        throw new Error(`cannot read {minute, service, count, avg} from ${JSON.stringify(r).slice(0, 160)}`);
      }
      const k = `${minuteOf(r.window_start ?? r.minute)}|${r.service}`;
      if (map.has(k)) throw new Error(`minute|service ${k} appears twice`);
      map.set(k, { count, avg });
    }
    return { count: map.size, data: map };
  }
  if (task.check === 'json-records') {
    const recs = parseJsonLines(text);
    return { count: recs.length, data: recs.map((r) => JSON.stringify(r)) };
  }
  if (task.check === 'csv-records') {
    const lines = text.split('\n').filter((l) => l.length);
    const header = lines.shift() ?? '';
    if (header.trim() !== task.header) throw new Error(`CSV header is '${header.slice(0, 80)}', expected '${task.header}'`);
    return { count: lines.length, data: lines.map((l) => l.split(',').map(normNum).join(',')) };
  }
  // keyed aggregate: { key: value }, value = the one numeric field other than the key
  const recs = parseJsonLines(text);
  const map = new Map();
  for (const r of recs) {
    if (r === null || typeof r !== 'object') throw new Error(`output record is not an object: ${JSON.stringify(r)}`);
    const k = r[task.key];
    const nums = Object.entries(r).filter(([f, v]) => f !== task.key && f !== 'window_start' && f !== 'window_end' && typeof v === 'number');
    if (k === undefined || nums.length !== 1) throw new Error(`cannot read {${task.key}, value} from ${JSON.stringify(r).slice(0, 120)}`);
    if (map.has(k)) throw new Error(`key ${JSON.stringify(k)} appears twice`);
    map.set(k, nums[0][1]);
  }
  return { count: map.size, data: map };
}

/** null when equal, else a one-line description of the first difference. */
function compare(task, got, ref) {
  if (task.check === 'windowed') {
    // counts exactly; means to 1e-9 (the same sums in the same order, but tools may differ in the last bit)
    for (const [k, v] of ref.data) {
      const g = got.data.get(k);
      if (!g) return `minute|service ${k} missing`;
      if (g.count !== v.count) return `${k}: count ${g.count} vs reference ${v.count}`;
      if (Math.abs(g.avg - v.avg) > 1e-9 * Math.max(Math.abs(v.avg), 1)) return `${k}: avg ${g.avg} vs reference ${v.avg}`;
    }
    for (const k of got.data.keys()) if (!ref.data.has(k)) return `unexpected minute|service ${k}`;
    return null;
  }
  if (task.check === 'keyed') {
    for (const [k, v] of ref.data) {
      if (!got.data.has(k)) return `${task.key} ${JSON.stringify(k)} missing`;
      const g = got.data.get(k);
      const ok = task.tolerance ? Math.abs(g - v) <= task.tolerance * Math.max(Math.abs(v), 1e-12) : g === v;
      if (!ok) return `${task.key} ${JSON.stringify(k)}: ${g} vs reference ${v}`;
    }
    for (const k of got.data.keys()) if (!ref.data.has(k)) return `unexpected ${task.key} ${JSON.stringify(k)}`;
    return null;
  }
  if (got.count !== ref.count) return `${got.count} records vs reference ${ref.count}`;
  for (let i = 0; i < ref.data.length; i++) {
    if (got.data[i] !== ref.data[i]) return `same count, but record ${i + 1} differs: ${got.data[i].slice(0, 100)} vs ${ref.data[i].slice(0, 100)}`;
  }
  return null;
}

/** Ground truth from the generator's meta, independent of every tool. */
function oracle(taskId, meta) {
  if (taskId === 'T1' || taskId === 'T5') return { count: meta.status_5xx };
  if (taskId === 'T2' && meta.service_counts) return { map: new Map(Object.entries(meta.service_counts)) };
  return null;
}

// ------------------------------------------------------------------------------------------
// startup: echo '{}' | sluice 'where true'  vs  echo '{}' | node -e ''

async function measureStartup(o, sluicePath, tools) {
  const cmds = [{ id: 'node', label: "node -e ''", cmd: "echo '{}' | node -e ''" }];
  if (o.tools.includes('sluice')) cmds.push({ id: 'sluice', label: "sluice 'where true'", cmd: `echo '{}' | ${shellQuote(o.sluice)} 'where true'` });
  if (tools.jq) cmds.push({ id: 'jq', label: "jq -c 'select(true)'", cmd: "echo '{}' | jq -c 'select(true)'" });
  if (tools.mlr) cmds.push({ id: 'mlr', label: "mlr --ijsonl --ojsonl filter 'true'", cmd: "echo '{}' | mlr --ijsonl --ojsonl filter 'true'" });

  const res = [];
  const ok = [];
  for (const c of cmds) {
    if (c.id === 'sluice' && !sluicePath) {
      res.push({ ...c, error: `failed (${o.sluice} not found)` });
      continue;
    }
    const r = spawnSync('sh', ['-c', c.cmd], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
    if (r.status !== 0) {
      res.push({ ...c, error: failureText({ code: r.status, signal: r.signal, stderr: r.stderr, error: r.error?.message }) });
      continue;
    }
    ok.push(c);
  }
  const hyperfine = which('hyperfine');
  const runs = 20;
  if (hyperfine && ok.length) {
    const jsonPath = path.join(OUT_DIR, 'startup.hyperfine.json');
    const r = spawnSync(
      hyperfine,
      ['--warmup', '3', '--runs', String(runs), '--style', 'none', '--export-json', jsonPath, ...ok.map((c) => c.cmd)],
      { cwd: ROOT, encoding: 'utf8', timeout: 300000 },
    );
    if (r.status === 0) {
      const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      ok.forEach((c, i) => {
        const h = j.results[i];
        res.push({ ...c, median: (h.median ?? median(h.times)) * 1000, mean: h.mean * 1000, stddev: (h.stddev ?? 0) * 1000, cpu: (h.user + h.system) * 1000, runs: h.times.length, how: 'hyperfine' });
      });
      return order(res, cmds);
    }
    console.error(`bench: hyperfine failed (${(r.stderr || '').trim().split('\n')[0]}); timing startup in Node`);
  }
  for (const c of ok) {
    const times = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync('sh', ['-c', c.cmd], { cwd: ROOT, stdio: 'ignore' });
      if (i >= 3) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const stddev = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / times.length);
    res.push({ ...c, median: median(times), mean, stddev, runs, how: 'node (sh -c, shell cost included)' });
  }
  return order(res, cmds);
}
const order = (res, cmds) => cmds.map((c) => res.find((r) => r.id === c.id));

// ------------------------------------------------------------------------------------------
// main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  const load0 = os.loadavg();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const meta = ensureData({ n: o.n, seed: o.seed });

  const tools = {};
  const notes = [];
  const versions = { node: process.version };
  for (const t of ['jq', 'mlr']) {
    if (!o.tools.includes(t)) continue;
    if (which(t)) {
      tools[t] = true;
      versions[t] = version([t, '--version']);
    } else notes.push(`${TOOL_NAMES[t]} is not installed (\`${t}\` not on PATH): its rows are skipped.`);
  }
  if (o.tools.includes('baseline')) tools.baseline = true;
  const sluicePath = o.tools.includes('sluice') || o.tools.includes('sluice2') ? which(o.sluice) : null;
  if (o.tools.includes('sluice')) tools.sluice = true; // a missing binary is reported as a failed row
  if (o.tools.includes('sluice2')) tools.sluice2 = true;
  const hf = which('hyperfine');
  if (hf) versions.hyperfine = version(['hyperfine', '--version']);
  if (!HAVE_TIME) notes.push('/usr/bin/time not found: CPU time and peak RSS columns are empty (apt-get install time).');

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.error(`bench: n=${o.n}, tasks ${o.tasks.join(',')}, runs ${o.runs}, budget ${o.budget}s, ${os.cpus().length} × ${cpu}, load ${load0.map((x) => x.toFixed(2)).join(' ')}`);
  for (const f of new Set(o.tasks.map((t) => (TASKS[t].input === 'csv' ? CSV_PATH : NDJSON_PATH)))) warmCache(f);

  const results = []; // { task, tool, status, ... }
  const mismatches = [];
  for (const taskId of o.tasks) {
    const task = TASKS[taskId];
    const entries = [];
    for (const tool of TOOL_ORDER) {
      if (!o.tools.includes(tool)) continue;
      const mk = task.cmd[tool];
      if (!mk && tool === 'sluice2') continue; // a task that stays on one thread: no row
      const e = { task: taskId, tool, runs: [], outPath: path.join(OUT_DIR, `${taskId}.${tool}.out`) };
      if (!mk) e.status = 'n/a';
      else if (!tools[tool]) e.status = 'not installed';
      else {
        e.argv = mk(sluicePath ?? o.sluice);
        const isSluice = tool === 'sluice' || tool === 'sluice2';
        e.command = shellJoin(isSluice ? [o.sluice, ...e.argv.slice(1)] : e.argv);
        if (isSluice && !sluicePath) e.status = `failed (${o.sluice} not found)`;
        else e.status = 'pending';
      }
      entries.push(e);
    }

    // round-robin over the tools, so that a change in machine load hits all of them alike
    for (let round = 0; round < o.runs; round++) {
      for (const e of entries) {
        if (e.status !== 'pending' && e.status !== 'ok') continue;
        const spent = e.runs.reduce((a, r) => a + r.wall, 0);
        if (e.runs.length && o.budget > 0 && spent >= o.budget) continue;
        process.stderr.write(`bench: ${taskId} ${e.tool.padEnd(8)} run ${round + 1}/${o.runs} … `);
        const r = await runOnce(e.argv, e.outPath, o.timeout);
        if (!r.ok) {
          e.status = failureText(r);
          process.stderr.write(`${e.status}\n`);
          continue;
        }
        process.stderr.write(`${r.wall.toFixed(2)}s\n`);
        e.runs.push(r);
        e.status = 'ok';
      }
    }

    // correctness, on the output of the last run
    const ok = entries.filter((e) => e.status === 'ok');
    for (const e of ok) {
      try {
        e.digest = digest(task, fs.readFileSync(e.outPath, 'utf8'));
        e.outCount = e.digest.count;
      } catch (err) {
        e.check = `MISMATCH: ${err.message}`;
      }
    }
    const truth = oracle(taskId, meta);
    const ref = ok.find((e) => e.tool === 'baseline' && e.digest) ?? ok.find((e) => e.digest);
    for (const e of ok) {
      if (e.check) continue;
      let diff = null;
      if (truth?.count !== undefined && e.digest.count !== truth.count) diff = `${e.digest.count} records, the generator wrote ${truth.count} matching events`;
      if (!diff && truth?.map) diff = compare(task, e.digest, { data: truth.map, count: truth.map.size });
      if (!diff && ref && ref !== e) diff = compare(task, e.digest, ref.digest);
      e.check = diff ? `MISMATCH: ${diff}` : ref && ref !== e ? `ok (= ${ref.tool})` : 'ok';
    }
    for (const e of entries) {
      if (e.check?.startsWith('MISMATCH')) {
        mismatches.push(`${taskId} ${TOOL_NAMES[e.tool]}: ${e.check.slice(10)}`);
        console.error(`\n!!! ${taskId} ${TOOL_NAMES[e.tool]} ${e.check}\n`);
      }
      if (e.runs.length) {
        e.median = median(e.runs.map((r) => r.wall));
        e.min = Math.min(...e.runs.map((r) => r.wall));
        e.max = Math.max(...e.runs.map((r) => r.wall));
        e.cpu = median(e.runs.map((r) => r.user + r.sys));
        e.rssMB = Math.max(...e.runs.map((r) => r.rssKB)) / 1024;
        e.rate = o.n / e.median;
      }
      delete e.digest;
      results.push(e);
    }
  }

  const startup = o.startup ? await measureStartup(o, sluicePath, tools) : null;
  const load1 = os.loadavg();

  // ----------------------------------------------------------------------------------------
  // report

  const L = [];
  L.push('# sluice benchmark', '');
  L.push(`- ${started.toISOString()}, ${o.n.toLocaleString('en-US')} events (seed ${o.seed}): ${rel(NDJSON_PATH)} ${(meta.ndjson_bytes / 1e6).toFixed(1)} MB, ${rel(CSV_PATH)} ${(meta.csv_bytes / 1e6).toFixed(1)} MB`);
  L.push(`- machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; load average ${load0[0].toFixed(2)} at start, ${load1[0].toFixed(2)} at end`);
  L.push(`- ${Object.entries(versions).map(([k, v]) => `${k}: ${v ?? '?'}`).join(', ')}`);
  if (load0[0] > os.cpus().length) {
    L.push(`- **the machine was busy** (load average ${load0[0].toFixed(1)} on ${os.cpus().length} CPUs): wall times are inflated and noisy; the CPU columns are steadier`);
  }
  L.push(`- each command: up to ${o.runs} runs, stopped early once its runs add up to ${o.budget}s (runs column); median wall time; input in the page cache; stdout to a file; tools interleaved run by run`);
  L.push('');
  L.push('## Throughput', '');
  L.push('| Task | Tool | Median wall (s) | Runs (min–max s) | Records/s | CPU user+sys (s) | Peak RSS (MB) | Output records | Check |');
  L.push('|---|---|--:|--:|--:|--:|--:|--:|---|');
  for (const e of results) {
    const title = cellText(TASKS[e.task].title);
    if (e.status !== 'ok') {
      L.push(`| ${e.task} ${title} | ${TOOL_NAMES[e.tool]} | ${cellText(e.status)} | | | | | | |`);
      continue;
    }
    L.push(
      `| ${e.task} ${title} | ${TOOL_NAMES[e.tool]} | ${fmtS(e.median)} | ${e.runs.length} (${fmtS(e.min)}–${fmtS(e.max)}) | ${fmtRate(e.rate)} | ${fmtS(e.cpu)} | ${Number.isFinite(e.rssMB) ? e.rssMB.toFixed(0) : '–'} | ${e.outCount ?? '–'} | ${cellText(e.check ?? '')} |`,
    );
  }
  L.push('');
  L.push('## Ratios', '');
  L.push('Peer ÷ sluice is the peer\'s median wall time over sluice\'s: **> 1 means sluice is faster**. sluice ÷ baseline is sluice\'s time over the hand-written Node loop\'s: the cost of the language over a bespoke script (1.00× = as fast as the hand-written loop).', '');
  L.push('The CPU columns are the same ratios on user+sys CPU seconds: steadier than wall time on a busy machine, but they charge a multi-threaded tool (Miller runs its reader, mapper and writer concurrently) for every core it uses.', '');
  L.push('| Task | jq ÷ sluice | Miller ÷ sluice | sluice ÷ baseline | CPU: jq ÷ sluice | CPU: Miller ÷ sluice | CPU: sluice ÷ baseline |');
  L.push('|---|--:|--:|--:|--:|--:|--:|');
  for (const taskId of o.tasks) {
    const get = (tool) => results.find((e) => e.task === taskId && e.tool === tool && e.status === 'ok');
    const s = get('sluice');
    const cell = (tool, f) => {
      const p = get(tool);
      if (!TASKS[taskId].cmd[tool]) return 'n/a';
      if (!o.tools.includes(tool)) return '–';
      if (!s) return 'no sluice time';
      if (!p) return `no ${TOOL_NAMES[tool]} time`;
      return fmtRatio(f(p) / f(s));
    };
    const b = get('baseline');
    const base = (f) => (s && b ? fmtRatio(f(s) / f(b)) : !o.tools.includes('baseline') ? '–' : s ? 'no baseline time' : 'no sluice time');
    const wall = (e) => e.median;
    const cpu = (e) => e.cpu;
    L.push(
      `| ${taskId} ${cellText(TASKS[taskId].title)} | ${cell('jq', wall)} | ${cell('mlr', wall)} | ${base(wall)} | ${cell('jq', cpu)} | ${cell('mlr', cpu)} | ${base(cpu)} |`,
    );
  }
  L.push('', '## Goals (issue #13)', '');
  L.push('Each goal is a peer\'s median wall time over sluice\'s, from this run: the Node loop\'s (T1, T2 ≥ 2×; T3, T3ISO, T4 ≥ 1.5×; T5 ≥ 1×) and Miller\'s on CSV (T5 ≥ 1×). ' +
    'The memory goal is single-thread sluice\'s peak RSS (the largest of its runs) against the one recorded before the start-up work: recorded ÷ this run ≥ 1× (no higher than then).', '');
  L.push('| Task | sluice | Peer | Peer ÷ sluice | Goal | Met |');
  L.push('|---|---|---|--:|--:|---|');
  for (const taskId of o.tasks) {
    for (const variant of ['sluice', 'sluice2']) {
      const s = results.find((e) => e.task === taskId && e.tool === variant && e.status === 'ok');
      if (!s) continue;
      for (const [tool, goal] of Object.entries(TASKS[taskId].goal ?? {})) {
        if (!o.tools.includes(tool)) continue;
        const p = results.find((e) => e.task === taskId && e.tool === tool && e.status === 'ok');
        const r = p ? p.median / s.median : NaN;
        L.push(`| ${taskId} | ${TOOL_NAMES[variant]} | ${TOOL_NAMES[tool]} | ${fmtRatio(r)} | ${goal.toFixed(2)}× | ${Number.isFinite(r) ? (r >= goal ? 'yes' : 'no') : '–'} |`);
      }
      const rssBase = variant === 'sluice' ? PEAK_RSS_BASELINE_MB[taskId] : undefined;
      if (rssBase !== undefined) {
        const r = rssBase / s.rssMB;
        const now = Number.isFinite(s.rssMB) ? `${s.rssMB.toFixed(0)} MB` : 'no /usr/bin/time';
        const met = !Number.isFinite(r) ? '–' : r >= 1 ? 'yes' : r >= 1 - PEAK_RSS_NOISE ? `no (within ${PEAK_RSS_NOISE * 100} %: noise?)` : 'no';
        L.push(`| ${taskId} | ${TOOL_NAMES[variant]} | peak RSS: recorded ${rssBase.toFixed(0)} MB, this run ${now} | ${fmtRatio(r)} | 1.00× | ${met} |`);
      }
    }
  }
  const sluiceRow = (taskId) => results.find((e) => e.task === taskId && e.tool === 'sluice' && e.status === 'ok');
  const t2 = sluiceRow('T2');
  const windowed = ['T3', 'T3ISO'].filter((t) => o.tasks.includes(t));
  if (windowed.length) {
    L.push('', '## Windows against a plain aggregate (sluice)', '');
    L.push('The cost of event time: a one-minute tumbling window on top of the grouped aggregate, each windowed task\'s sluice time over T2\'s (`count() by service`). Goal: within 1.5×.', '');
    L.push('| Task | sluice wall (s) | ÷ T2 wall | sluice CPU (s) | ÷ T2 CPU |');
    L.push('|---|--:|--:|--:|--:|');
    for (const taskId of windowed) {
      const w = sluiceRow(taskId);
      if (!w) { L.push(`| ${taskId} | no sluice time | | | |`); continue; }
      L.push(`| ${taskId} ${cellText(TASKS[taskId].title)} | ${fmtS(w.median)} | ${t2 ? fmtRatio(w.median / t2.median) : 'no T2 time'} | ${fmtS(w.cpu)} | ${t2 ? fmtRatio(w.cpu / t2.cpu) : 'no T2 time'} |`);
    }
  }
  if (startup) {
    L.push('', '## Startup', '');
    L.push("Each command reads one record `echo '{}' | …`; timed with " + (startup.find((r) => r?.how)?.how ?? '–') + '.', '');
    L.push('| Command | Median (ms) | Mean ± σ (ms) | CPU user+sys, mean (ms) | Runs |');
    L.push('|---|--:|--:|--:|--:|');
    for (const r of startup) {
      if (!r) continue;
      if (r.error) L.push(`| \`${r.label}\` | ${cellText(r.error)} | | | |`);
      else L.push(`| \`${r.label}\` | ${r.median.toFixed(1)} | ${r.mean.toFixed(1)} ± ${r.stddev.toFixed(1)} | ${Number.isFinite(r.cpu) ? r.cpu.toFixed(1) : '–'} | ${r.runs} |`);
    }
    const n = startup.find((r) => r?.id === 'node');
    const s = startup.find((r) => r?.id === 'sluice');
    if (n?.median !== undefined && s?.median !== undefined) {
      L.push('', `**sluice startup over bare node: ${(s.median - n.median).toFixed(1)} ms** (median ${s.median.toFixed(1)} ms vs ${n.median.toFixed(1)} ms).`);
      // wall time on a busy machine is mostly waiting for a CPU: the CPU figure is the steadier one
      if (Number.isFinite(s.cpu) && Number.isFinite(n.cpu)) L.push('', `CPU over bare node: ${(s.cpu - n.cpu).toFixed(1)} ms (user+sys, mean ${s.cpu.toFixed(1)} ms vs ${n.cpu.toFixed(1)} ms); goal: within 50 ms.`);
    } else if (s?.error) {
      L.push('', `sluice startup: ${s.error}`);
    }
  }
  L.push('', '## Commands', '');
  for (const taskId of o.tasks) {
    L.push(`${taskId} — ${TASKS[taskId].title}`, '');
    for (const e of results.filter((r) => r.task === taskId && r.command)) L.push(`    ${e.command}`);
    L.push('');
  }
  if (mismatches.length || notes.length) {
    L.push('## Notes', '');
    for (const m of mismatches) L.push(`- **MISMATCH** ${m}`);
    for (const m of notes) L.push(`- ${m}`);
    L.push('');
  }
  const md = L.join('\n');
  process.stdout.write('\n' + md + '\n');
  fs.writeFileSync(path.join(DATA_DIR, 'results.md'), md + '\n');
  fs.writeFileSync(
    path.join(DATA_DIR, 'results.json'),
    JSON.stringify(
      {
        started: started.toISOString(),
        options: o,
        versions,
        machine: { cpus: os.cpus().length, cpu, loadavg_start: load0, loadavg_end: load1 },
        data: meta,
        results: results.map(({ outPath, argv, runs, ...e }) => ({ ...e, runs: runs.map(({ stderr, ...r }) => r) })),
        startup,
        mismatches,
        notes,
      },
      null,
      2,
    ) + '\n',
  );
  console.error(`bench: wrote ${rel(path.join(DATA_DIR, 'results.md'))} and results.json in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  if (mismatches.length) console.error(`bench: ${mismatches.length} MISMATCH(ES), see the Notes section`);
}

main().catch((err) => {
  console.error(`bench: ${err.stack || err.message}`);
  process.exit(2);
});
