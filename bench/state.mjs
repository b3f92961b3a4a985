#!/usr/bin/env node
// What checkpoints (--state) cost: (1) the windowed benchmark task T3 of bench/run.mjs without
// --state and with --checkpoint-every 10s, 1s and 100ms; (2) the size and the time of a
// checkpoint that holds 1k, 100k and 1M keys, through the CLI (SIGINT on a --follow run that has
// read everything) and through the library (src/ bundled with esbuild: snapshot, v8.serialize,
// SHA-256, write and fsync apart); (3) the time from starting a job on such a state to its first
// output record, against a start without state.
//
//   node bench/state.mjs [--n 1000000] [--runs 3] [--keys 1k,100k,1m] [--per-key 4]
//                        [--parts 1,2,3] [--sluice bin/sluice] [--seed 42] [--timeout 1800]
//
// See "Checkpoints (--state)" in bench/README.md. Prints a Markdown report to stdout and writes
// bench/data/state.md and bench/data/state.json. Linux only (parts 2 and 3 read /proc/PID to
// see when sluice has read its whole input).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eachOption, ensureData, parseIntOption, NDJSON_PATH, DATA_DIR, DEFAULT_N, DEFAULT_SEED } from './gen.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const WORK = path.join(DATA_DIR, 'state');
const OUT_DIR = path.join(DATA_DIR, 'out');
const rel = (p) => path.relative(ROOT, p) || '.';
const HAVE_TIME = fs.existsSync('/usr/bin/time');

const T3 = 'window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service';
const PROGRAMS = [
  { id: 'agg', text: 'count(), sum(v), avg(v) by key' },
  { id: 'window', text: 'window tumbling 1h on ts | count(), p95(v) by key' },
];
const WINDOW = PROGRAMS[1];
// the generated inputs: every record in [12:00, 12:50) of this day, so one 1h window holds them all
const BASE_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
const SPAN_MS = 50 * 60 * 1000;
/** a record this far after BASE_MS is past the window's end: the watermark passes it, the window fires */
const FAR_MS = BASE_MS + 3 * 3600 * 1000;

// ------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const o = {
    n: DEFAULT_N,
    seed: DEFAULT_SEED,
    runs: 3,
    keys: [1_000, 100_000, 1_000_000],
    perKey: 4,
    parts: [1, 2, 3],
    sluice: 'bin/sluice',
    timeout: 1800,
  };
  eachOption(argv, (name, val, a) => {
    switch (name) {
      case '--n': o.n = parseIntOption(val(), '--n'); break;
      case '--seed': o.seed = parseIntOption(val(), '--seed'); break;
      case '--runs': o.runs = parseIntOption(val(), '--runs'); break;
      case '--keys': o.keys = val().split(',').map((k) => parseIntOption(k.trim(), '--keys')); break;
      case '--per-key': o.perKey = parseIntOption(val(), '--per-key'); break;
      case '--parts': o.parts = val().split(',').map(Number); break;
      case '--sluice': o.sluice = val(); break;
      case '--timeout': o.timeout = Number(val()); break;
      case '-h':
      case '--help':
        console.log(
          'usage: node bench/state.mjs [--n 1000000] [--runs 3] [--keys 1k,100k,1m] [--per-key 4]\n' +
            '                            [--parts 1,2,3] [--sluice bin/sluice] [--seed 42] [--timeout 1800]\n' +
            '  --n N         events for part 1 (bench/gen.mjs data, as npm run bench)\n' +
            '  --keys LIST   distinct keys of the states of parts 2 and 3\n' +
            '  --per-key R   records per key in those inputs\n' +
            '  --timeout S   give up on one sluice run after S seconds',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (try --help)`);
    }
  });
  for (const p of o.parts) if (![1, 2, 3].includes(p)) throw new Error(`--parts: 1, 2 or 3, not ${p}`);
  if (!(o.timeout > 0)) throw new Error('--timeout must be > 0');
  return o;
}

// ------------------------------------------------------------------------------------------
// helpers

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–');
const fmtS = (x) => fmt(x, 2);
const fmtShare = (x) => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '–');
const fmtPct = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}%` : '–');
const fmtRate = (r) => (!Number.isFinite(r) ? '–' : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} k/s`);
const fmtKeys = (k) => (k >= 1e6 && k % 1e6 === 0 ? `${k / 1e6}M` : k >= 1e3 && k % 1e3 === 0 ? `${k / 1e3}k` : String(k));
const fmtBytes = (b) => (!Number.isFinite(b) ? '–' : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`);
const cell = (s) => String(s).replace(/\|/g, '\\|');
const log = (m) => process.stderr.write(`bench-state: ${m}\n`);

function shellQuote(a) {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a)) return a;
  return "'" + a.replace(/'/g, `'\\''`) + "'";
}
const shellJoin = (argv) => argv.map((a) => shellQuote(a.startsWith(ROOT + '/') ? rel(a) : a)).join(' ');

function removeState(p) {
  for (const f of [p, `${p}.prev`]) fs.rmSync(f, { force: true });
}

function warmCache(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd);
}

/** sluice's --stats lines, as numbers. */
function parseStats(stderr) {
  const num = (re) => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : NaN;
  };
  const cp = /sluice: checkpoints\s+(\d+) \(last (\d+) bytes; ([\d.]+) ms in all\)/.exec(stderr);
  return {
    recordsIn: num(/sluice: records in\s+(\d+)/),
    recordsOut: num(/sluice: records out\s+(\d+)/),
    elapsed: num(/sluice: elapsed\s+([\d.]+) s/),
    checkpoints: cp ? Number(cp[1]) : 0,
    checkpointBytes: cp ? Number(cp[2]) : NaN,
    checkpointMs: cp ? Number(cp[3]) : 0,
  };
}

const firstLine = (s) => (s || '').split('\n').map((l) => l.trim()).find(Boolean) ?? '';

/** /proc/PID/stat: the main thread's state letter and the process's CPU time in ms (all threads). */
function procStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], cpuMs: (Number(f[11]) + Number(f[12])) * 10 };
  } catch {
    return null;
  }
}

/** bytes the process has read through read(2)/pread(2) so far */
function procRchar(pid) {
  try {
    return Number(/rchar:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);
  } catch {
    return NaN;
  }
}

/** The inode at `p`, or 0: every checkpoint renames a new file over the state path. */
function inode(p) {
  try {
    return fs.statSync(p).ino;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------------------------------
// running sluice

/** One finite run: stdout to a file, CPU from /usr/bin/time, wall time from here. */
function runOnce(argv, outPath, timeoutS) {
  return new Promise((resolve) => {
    const timeFile = `${outPath}.time`;
    fs.rmSync(timeFile, { force: true });
    const full = HAVE_TIME ? ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, ...argv] : argv;
    const outFd = fs.openSync(outPath, 'w');
    let stderr = '';
    let timedOut = false;
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0], full.slice(1), { cwd: ROOT, stdio: ['ignore', outFd, 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      if (stderr.length < 65536) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      fs.closeSync(outFd);
      resolve({ ok: false, error: err.message, stderr });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      fs.closeSync(outFd);
      let user = NaN;
      let sys = NaN;
      let rssKB = NaN;
      try {
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        [user, sys, rssKB] = lines[lines.length - 1].split(/\s+/).map(Number);
        fs.rmSync(timeFile, { force: true });
      } catch {}
      const ok = !timedOut && code === 0 && !signal;
      resolve({ ok, code, signal, wall, user, sys, cpu: user + sys, rssKB, stderr, error: timedOut ? `timed out after ${timeoutS}s` : undefined });
    });
  });
}

function failureText(r) {
  const why = r.error ? r.error : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  const first = firstLine(r.stderr);
  return `failed (${why}${first ? `, ${first.slice(0, 160)}` : ''})`;
}

/**
 * A long-running sluice (--follow): spawned directly, so child.pid is node's own pid and
 * /proc/PID describes it. `stdout`: 'ignore' or 'pipe'.
 */
function startSluice(sluice, args, stdout = 'ignore') {
  const child = spawn(sluice, args, { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'] });
  const p = { child, t0: performance.now(), stderr: '', exited: null };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    if (p.stderr.length < 65536) p.stderr += d;
  });
  p.done = new Promise((resolve) => {
    child.on('error', (err) => {
      p.exited = { code: null, signal: null, error: err.message };
      resolve(p.exited);
    });
    child.on('close', (code, signal) => {
      p.exited = { code, signal, ms: performance.now() - p.t0 };
      resolve(p.exited);
    });
  });
  return p;
}

async function stopSluice(p, signal, timeoutS) {
  if (p.exited) return p.exited;
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutS * 1000);
  const r = await p.done;
  clearTimeout(t);
  return r;
}

/**
 * Wait until a --follow run has read and processed its whole input: it has read at least the
 * input's size (rchar counts pread too), and then its main thread sleeps without using CPU for
 * 5 samples in a row, 100 ms apart (reading from the page cache, it never sleeps while input is
 * left). The caller checks the record count from --stats afterwards.
 */
async function waitAllRead(p, inputBytes, timeoutS) {
  const pid = p.child.pid;
  const until = performance.now() + timeoutS * 1000;
  while (!p.exited && performance.now() < until) {
    if (procRchar(pid) >= inputBytes) break;
    await sleep(100);
  }
  let quiet = 0;
  let last = procStat(pid);
  while (!p.exited && performance.now() < until && quiet < 5) {
    await sleep(100);
    const s = procStat(pid);
    if (s === null) break;
    quiet = s.state === 'S' && last !== null && s.cpuMs - last.cpuMs <= 10 ? quiet + 1 : 0;
    last = s;
  }
  if (p.exited) throw new Error(`sluice ended while reading: ${failureText({ ...p.exited, stderr: p.stderr })}`);
  if (quiet < 5) throw new Error(`sluice had not read its input after ${timeoutS}s`);
  return performance.now() - p.t0;
}

/** Wait until `count` more checkpoints have replaced the state file. */
async function waitCheckpoints(p, statePath, count, timeoutS) {
  const until = performance.now() + timeoutS * 1000;
  let ino = inode(statePath);
  let seen = 0;
  const at = [];
  while (!p.exited && seen < count && performance.now() < until) {
    await sleep(20);
    const i = inode(statePath);
    if (i !== ino && i !== 0) {
      ino = i;
      seen++;
      at.push(performance.now() - p.t0);
    }
  }
  if (p.exited) throw new Error(`sluice ended while checkpointing: ${failureText({ ...p.exited, stderr: p.stderr })}`);
  if (seen < count) throw new Error(`only ${seen} of ${count} checkpoints within ${timeoutS}s`);
  return at;
}

// ------------------------------------------------------------------------------------------
// inputs with exactly K keys

/** `{"ts":…,"key":"k…","v":…}` lines: K × perKey records, key j mod K, ts rising over 50 minutes. */
function ensureKeyInput(k, perKey) {
  const file = path.join(WORK, `keys-${k}x${perKey}.ndjson`);
  const metaFile = `${file}.meta.json`;
  const n = k * perKey;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (meta.k === k && meta.perKey === perKey && fs.statSync(file).size === meta.bytes) return { file, n, bytes: meta.bytes };
  } catch {}
  const t0 = performance.now();
  const fd = fs.openSync(file, 'w');
  let s = '';
  for (let j = 0; j < n; j++) {
    // v: a fixed scramble of j, two decimals in [0, 1000)
    const v = (Math.imul(j, 2654435761) >>> 0) % 100000 / 100;
    s += `{"ts":${BASE_MS + Math.floor((j * SPAN_MS) / n)},"key":"k${j % k}","v":${v}}\n`;
    if (s.length > 1 << 20) {
      fs.writeSync(fd, s);
      s = '';
    }
  }
  fs.writeSync(fd, s);
  fs.closeSync(fd);
  const bytes = fs.statSync(file).size;
  fs.writeFileSync(metaFile, JSON.stringify({ k, perKey, n, bytes }) + '\n');
  log(`wrote ${rel(file)}: ${n} records, ${k} keys, ${fmtBytes(bytes)} in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  return { file, n, bytes };
}

// ------------------------------------------------------------------------------------------
// part 1: T3 without and with --state

const VARIANTS = [
  { id: 'none', label: 'without --state', every: null },
  { id: '10s', label: '--checkpoint-every 10s', every: '10s' },
  { id: '1s', label: '--checkpoint-every 1s', every: '1s' },
  { id: '100ms', label: '--checkpoint-every 100ms', every: '100ms' },
];

async function partT3(o, sluice) {
  const meta = ensureData({ n: o.n, seed: o.seed, log });
  warmCache(NDJSON_PATH);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const statePath = path.join(WORK, 't3.state');
  const rows = VARIANTS.map((v) => {
    const argv = [sluice, '--stats', ...(v.every ? ['--state', statePath, '--checkpoint-every', v.every] : []), T3, NDJSON_PATH];
    const shown = [o.sluice, ...argv.slice(1)];
    return { ...v, argv, command: shellJoin(shown), runs: [], outPath: path.join(OUT_DIR, `state-T3-${v.id}.out`), status: 'ok' };
  });
  // one untimed run first (the first run of a series is often slower); then round-robin, each
  // round starting with the next variant, so that a change in the machine's load hits all alike
  removeState(statePath);
  await runOnce(rows[1].argv, rows[1].outPath, o.timeout);
  for (let round = 0; round < o.runs; round++) {
    for (let v = 0; v < rows.length; v++) {
      const r = rows[(v + round) % rows.length];
      if (r.status !== 'ok') continue;
      removeState(statePath);
      process.stderr.write(`bench-state: T3 ${r.label.padEnd(26)} run ${round + 1}/${o.runs} … `);
      const res = await runOnce(r.argv, r.outPath, o.timeout);
      if (!res.ok) {
        r.status = failureText(res);
        process.stderr.write(`${r.status}\n`);
        continue;
      }
      const st = parseStats(res.stderr);
      process.stderr.write(`${res.wall.toFixed(2)}s, cpu ${res.cpu.toFixed(2)}s, ${st.checkpoints} checkpoints (${st.checkpointMs.toFixed(0)} ms)\n`);
      r.runs.push({ wall: res.wall, cpu: res.cpu, rssKB: res.rssKB, ...st });
    }
  }
  removeState(statePath);
  // the output with --state must be the output without it
  const ref = rows[0].status === 'ok' ? fs.readFileSync(rows[0].outPath, 'utf8') : null;
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const out = fs.readFileSync(r.outPath, 'utf8');
    const lines = out.split('\n').filter(Boolean).length;
    r.outRecords = lines;
    r.check = ref === null ? 'no reference' : out === ref ? 'ok (= without --state)' : `MISMATCH (${lines} records, differs from the run without --state)`;
    r.wall = median(r.runs.map((x) => x.wall));
    r.minWall = Math.min(...r.runs.map((x) => x.wall));
    r.maxWall = Math.max(...r.runs.map((x) => x.wall));
    r.cpu = median(r.runs.map((x) => x.cpu));
    r.checkpoints = median(r.runs.map((x) => x.checkpoints));
    r.checkpointMs = median(r.runs.map((x) => x.checkpointMs));
    r.checkpointBytes = median(r.runs.map((x) => x.checkpointBytes));
    r.rate = o.n / r.wall;
  }
  const base = rows[0];
  for (const r of rows) {
    if (r.status !== 'ok' || base.status !== 'ok') continue;
    r.overWall = (100 * (r.wall - base.wall)) / base.wall;
    r.overCpu = (100 * (r.cpu - base.cpu)) / base.cpu;
    // the time spent inside checkpoints, as a share of the run without --state
    r.inCheckpoints = (100 * r.checkpointMs) / 1000 / base.wall;
  }
  return { meta, rows: rows.map(({ argv, outPath, ...r }) => r) };
}

// ------------------------------------------------------------------------------------------
// part 2: checkpoint size and time with K keys, through the CLI and through the library

async function cliCheckpoints(o, sluice, prog, input, statePath) {
  const res = { program: prog.text };
  const args = (every) => ['--stats', '--follow', '--state', statePath, '--checkpoint-every', every, prog.text, input.file];
  removeState(statePath);
  // (a) read everything with no timed checkpoint, then SIGINT: one checkpoint of the whole state
  let p = startSluice(sluice, args('1h'));
  try {
    res.readMs = await waitAllRead(p, input.bytes, o.timeout);
  } catch (e) {
    await stopSluice(p, 'SIGKILL', 5);
    return { ...res, error: e.message };
  }
  let t = performance.now();
  let ex = await stopSluice(p, 'SIGINT', o.timeout);
  res.sigintExitMs = performance.now() - t;
  let st = parseStats(p.stderr);
  if (ex.code !== 130) return { ...res, error: `SIGINT: ${failureText({ ...ex, stderr: p.stderr })} (expected exit 130)` };
  if (st.recordsIn !== input.n) return { ...res, error: `stopped after ${st.recordsIn} of ${input.n} records` };
  res.sigint = { bytes: st.checkpointBytes, ms: st.checkpointMs, count: st.checkpoints };
  res.fileBytes = fs.statSync(statePath).size;

  // (b) restart on that state and let it write o.runs timed checkpoints of the whole state, then SIGINT
  p = startSluice(sluice, args('1s'));
  try {
    res.checkpointAt = await waitCheckpoints(p, statePath, o.runs, o.timeout);
  } catch (e) {
    await stopSluice(p, 'SIGKILL', 5);
    return { ...res, error: e.message };
  }
  t = performance.now();
  ex = await stopSluice(p, 'SIGINT', o.timeout);
  st = parseStats(p.stderr);
  if (ex.code !== 130) return { ...res, error: `restart, SIGINT: ${failureText({ ...ex, stderr: p.stderr })}` };
  if (st.recordsIn !== input.n) return { ...res, error: `after the restart, records in ${st.recordsIn}, expected ${input.n}` };
  res.timed = { count: st.checkpoints, ms: st.checkpointMs, perCheckpoint: st.checkpointMs / st.checkpoints, bytes: st.checkpointBytes };
  return res;
}

async function bundleHarness() {
  const { build, stop } = await import('esbuild');
  // .js, not .mjs: biome lints bench/**/*.mjs, and this is generated (package.json says ESM)
  const outfile = path.join(WORK, 'state-harness.bundle.js');
  await build({
    entryPoints: [path.join(HERE, 'state-harness.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  await stop(); // esbuild's service process would keep this one alive
  return outfile;
}

function libraryCheckpoints(o, harness, prog, input) {
  const statePath = path.join(WORK, 'harness.state');
  removeState(statePath);
  const args = ['--expose-gc', '--max-old-space-size=8192', harness, '--program', prog.text, '--input', input.file, '--state', statePath, '--runs', String(o.runs)];
  if (prog === WINDOW) args.push('--fire', String(FAR_MS));
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: o.timeout * 1000, maxBuffer: 1 << 24 });
  removeState(statePath);
  if (r.status !== 0) return { error: `library harness: ${r.error?.message ?? `exit ${r.status}`} ${firstLine(r.stderr).slice(0, 200)}` };
  const j = JSON.parse(r.stdout);
  const med = (list, step, kind) => median(list.map((x) => x[step]?.[kind]));
  const out = { records: j.records, bytes: j.bytes, heapState: j.heapState, fired: j.fired, steps: {} };
  for (const step of ['snapshot', 'serialize', 'sha256', 'save']) out.steps[step] = { wall: med(j.runs, step, 'wall'), cpu: med(j.runs, step, 'cpu') };
  // save = serialize + sha256 + write, fsync, rename, fsync of the folder
  out.steps.io = { wall: out.steps.save.wall - out.steps.serialize.wall - out.steps.sha256.wall };
  out.steps.checkpoint = { wall: out.steps.snapshot.wall + out.steps.save.wall, cpu: out.steps.snapshot.cpu + out.steps.save.cpu };
  for (const step of ['read', 'decode', 'restore', 'fire', 'encodeOut']) out.steps[step] = { wall: med(j.restarts, step, 'wall'), cpu: med(j.restarts, step, 'cpu') };
  out.raw = j;
  return out;
}

async function partSizes(o, sluice) {
  const harness = await bundleHarness();
  const rows = [];
  for (const k of o.keys) {
    const input = ensureKeyInput(k, o.perKey);
    warmCache(input.file);
    for (const prog of PROGRAMS) {
      const statePath = path.join(WORK, `${prog.id}-${k}.state`);
      log(`${fmtKeys(k)} keys, '${prog.text}': CLI …`);
      const cli = await cliCheckpoints(o, sluice, prog, input, statePath);
      if (cli.error) log(`  CLI: ${cli.error}`);
      else log(`  CLI: read in ${(cli.readMs / 1000).toFixed(1)}s; SIGINT checkpoint ${fmtBytes(cli.sigint.bytes)} in ${cli.sigint.ms.toFixed(0)} ms; restarted: ${cli.timed.count} checkpoints, ${cli.timed.perCheckpoint.toFixed(0)} ms each`);
      log(`${fmtKeys(k)} keys, '${prog.text}': library …`);
      const lib = libraryCheckpoints(o, harness, prog, input);
      if (lib.error) log(`  library: ${lib.error}`);
      else log(`  library: ${fmtBytes(lib.bytes)}; snapshot ${lib.steps.snapshot.wall.toFixed(0)} ms, serialize ${lib.steps.serialize.wall.toFixed(0)} ms, sha256 ${lib.steps.sha256.wall.toFixed(0)} ms, write+fsync ${lib.steps.io.wall.toFixed(0)} ms; decode ${lib.steps.decode.wall.toFixed(0)} ms, restore ${lib.steps.restore.wall.toFixed(0)} ms`);
      rows.push({ program: prog.id, text: prog.text, keys: k, records: input.n, inputBytes: input.bytes, statePath, cli, lib });
    }
  }
  return { perKey: o.perKey, rows };
}

// ------------------------------------------------------------------------------------------
// part 3: restart to the first output record

/**
 * Start `args`, append `lines` to `input` at once, and time the first output line and the
 * `expect`-th one from the start. Stops the run with SIGKILL (the state file stays as it was)
 * and cuts the appended lines off again.
 */
async function timeFirstRecord(o, sluice, args, input, lines, expect) {
  const size0 = fs.statSync(input).size;
  const p = startSluice(sluice, args, 'pipe');
  let first = NaN;
  let all = NaN;
  let count = 0;
  let firstText = '';
  const got = new Promise((resolve) => {
    p.child.stdout.on('data', (d) => {
      if (count === 0) {
        first = performance.now() - p.t0;
        firstText = d.toString('utf8', 0, Math.min(d.length, 300)).split('\n')[0];
      }
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) count++;
      if (count >= expect && !Number.isFinite(all)) {
        all = performance.now() - p.t0;
        resolve();
      }
    });
    p.done.then(resolve);
  });
  fs.appendFileSync(input, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  const timer = sleep(o.timeout * 1000);
  await Promise.race([got, timer]);
  await stopSluice(p, 'SIGKILL', 5);
  fs.truncateSync(input, size0);
  if (!Number.isFinite(all)) return { error: `${count} of ${expect} output records${p.exited?.code ? `; ${failureText({ ...p.exited, stderr: p.stderr })}` : ''}` };
  return { first, all, count, firstText };
}

async function partRestart(o, sluice, sizes) {
  const rows = [];
  // sluice's own start-up: one record through 'where true', as bench/run.mjs measures it
  const startup = (cmd) => {
    const times = [];
    for (let i = 0; i < 13; i++) {
      const t0 = performance.now();
      spawnSync('sh', ['-c', cmd], { cwd: ROOT, stdio: 'ignore' });
      if (i >= 3) times.push(performance.now() - t0);
    }
    return median(times);
  };
  rows.push({ id: 'node', label: "`echo '{}' | node -e ''` (reference)", first: startup("echo '{}' | node -e ''"), samples: 10 });
  rows.push({ id: 'plain', label: "`echo '{}' | sluice 'where true'` (plain start-up)", first: startup(`echo '{}' | ${shellQuote(sluice)} 'where true'`), samples: 10 });

  const probeIn = path.join(WORK, 'probe.ndjson');
  const probeState = path.join(WORK, 'probe.state');
  const starts = [
    { id: 'fresh', label: '`--follow`, no `--state`, empty file', state: null },
    { id: 'fresh-state', label: '`--follow --state F`, no F yet, empty file', state: probeState },
  ];
  for (const s of starts) {
    const r = { id: s.id, label: s.label, keys: 0, runs: [] };
    for (let i = 0; i < o.runs; i++) {
      fs.writeFileSync(probeIn, '');
      if (s.state) removeState(s.state);
      const args = ['--follow', ...(s.state ? ['--state', s.state, '--checkpoint-every', '1h'] : []), WINDOW.text, probeIn];
      r.command = shellJoin([o.sluice, ...args]);
      // one record in a window, one far past it: that window fires with one group
      const x = await timeFirstRecord(o, sluice, args, probeIn, [{ ts: BASE_MS, key: 'probe', v: 1 }, { ts: FAR_MS, key: 'probe', v: 1 }], 1);
      if (x.error) { r.error = x.error; break; }
      r.runs.push(x);
    }
    rows.push(r);
  }
  removeState(probeState);
  fs.rmSync(probeIn, { force: true });

  // restarts on the window program's states from part 2 (SIGINT wrote the whole state), or,
  // with --parts 3 alone, on those an earlier run left in bench/data/state/
  const states = sizes?.rows.filter((r) => r.program === WINDOW.id) ??
    o.keys.map((k) => ({ keys: k, statePath: path.join(WORK, `${WINDOW.id}-${k}.state`), cli: {}, lib: {} }));
  for (const row of states) {
    const bytes = fs.existsSync(row.statePath) ? fs.statSync(row.statePath).size : NaN;
    const r = { id: `state-${row.keys}`, label: `\`--follow --state F\`, F holds ${fmtKeys(row.keys)} keys (${fmtBytes(bytes)})`, keys: row.keys, runs: [] };
    const args = ['--follow', '--state', row.statePath, '--checkpoint-every', '1h', WINDOW.text, path.join(WORK, `keys-${row.keys}x${o.perKey}.ndjson`)];
    r.command = shellJoin([o.sluice, ...args]);
    if (row.cli?.error || !fs.existsSync(row.statePath)) {
      r.error = 'no state from part 2';
      rows.push(r);
      continue;
    }
    for (let i = 0; i < o.runs; i++) {
      log(`restart on ${fmtKeys(row.keys)} keys, run ${i + 1}/${o.runs} …`);
      // a far-future record: the hour's window fires, one result per key
      const x = await timeFirstRecord(o, sluice, args, args[args.length - 1], [{ ts: FAR_MS, key: 'probe', v: 1 }], row.keys);
      if (x.error) { r.error = x.error; break; }
      log(`  first record after ${(x.first / 1000).toFixed(2)}s, all ${row.keys} after ${(x.all / 1000).toFixed(2)}s`);
      r.runs.push(x);
    }
    r.lib = row.lib?.steps;
    rows.push(r);
  }
  for (const r of rows) {
    if (!r.runs || r.runs.length === 0) continue;
    r.first = median(r.runs.map((x) => x.first));
    r.all = median(r.runs.map((x) => x.all));
    r.minFirst = Math.min(...r.runs.map((x) => x.first));
    r.maxFirst = Math.max(...r.runs.map((x) => x.first));
  }
  return rows;
}

// ------------------------------------------------------------------------------------------
// report

function report(o, env, t3, sizes, restart) {
  const L = [];
  L.push('# sluice checkpoints (--state)', '');
  L.push(`- ${env.started}; \`node bench/state.mjs ${env.argv.join(' ')}\``);
  L.push(`- machine: nproc ${env.nproc}, ${env.cpu}, ${env.memGiB} GiB RAM; load average ${env.load0.map((x) => x.toFixed(2)).join(' ')} at start, ${env.load1.map((x) => x.toFixed(2)).join(' ')} at end`);
  L.push(`- node ${process.version}; state files in ${rel(WORK)} (${env.fs})`);
  if (env.load0[0] > env.nproc || env.load1[0] > env.nproc) {
    L.push(`- **the machine was busy** (load average above its ${env.nproc} CPUs): wall times are inflated and noisy; compare CPU times`);
  }
  if (t3) {
    L.push('', '## 1. Cost of checkpointing: T3', '');
    L.push(`\`${T3}\` over ${rel(NDJSON_PATH)} (${o.n.toLocaleString('en-US')} events, seed ${o.seed}, as \`npm run bench\`), the state file deleted before every run; median of ${o.runs} runs, after one untimed run, variants interleaved run by run (each round starts with the next one). **Overhead** is against the run without --state; **in checkpoints** is the time sluice spent inside checkpoints (\`--stats\`: from taking the state to the durable rename) as a share of the run without --state.`, '');
    L.push('| Run | Median wall (s) | Runs (min–max s) | Records/s | CPU user+sys (s) | Overhead wall | Overhead CPU | Checkpoints | In checkpoints (ms) | In checkpoints | Last checkpoint | Check |');
    L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
    for (const r of t3.rows) {
      if (r.status !== 'ok') {
        L.push(`| ${r.label} | ${cell(r.status)} | | | | | | | | | | |`);
        continue;
      }
      const none = r.id === 'none';
      L.push(`| ${r.label} | ${fmtS(r.wall)} | ${r.runs.length} (${fmtS(r.minWall)}–${fmtS(r.maxWall)}) | ${fmtRate(r.rate)} | ${fmtS(r.cpu)} | ${none ? '' : fmtPct(r.overWall)} | ${none ? '' : fmtPct(r.overCpu)} | ${none ? '' : fmt(r.checkpoints)} | ${none ? '' : fmt(r.checkpointMs)} | ${none ? '' : fmtShare(r.inCheckpoints)} | ${none ? '' : fmtBytes(r.checkpointBytes)} | ${cell(r.check)} |`);
    }
    L.push('', 'Commands:', '');
    for (const r of t3.rows) L.push(`    rm -f bench/data/state/t3.state*; ${r.command}`);
  }
  if (sizes) {
    L.push('', '## 2. Checkpoint size and time by number of keys', '');
    L.push(`Inputs: \`{"ts":…,"key":"k…","v":…}\`, ${sizes.perKey} records per key (key = record number mod K), all in one hour, so the window program keeps one window with every key. **CLI**: \`sluice --stats --follow --state F --checkpoint-every 1h PROGRAM FILE\` until it has read everything, then SIGINT: one checkpoint of the whole state (size, its time); then a restart on F with \`--checkpoint-every 1s\` that writes ${o.runs} timed checkpoints of the same state before SIGINT (time per checkpoint = \`--stats\` total ÷ count: taking the state, v8.serialize, SHA-256, writing, two fsyncs and two renames). **Library**: the same stages built with compileProgram from src/ (bench/state-harness.mjs), median of ${o.runs}: each step apart; *write+fsync* = fileStore.save() − serialize − SHA-256.`, '');
    L.push('| Program | Keys | Records | State file | Bytes/key | CLI: SIGINT checkpoint (ms) | CLI: per checkpoint (ms) | Library: snapshot (ms) | v8.serialize (ms) | SHA-256 (ms) | write+fsync (ms) | Library: total (ms) | µs/key | Heap of the state |');
    L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of sizes.rows) {
      const c = r.cli;
      const l = r.lib;
      const bytes = c.sigint?.bytes ?? l.bytes;
      const cliCells = c.error ? [cell(c.error), ''] : [fmt(c.sigint.ms), fmt(c.timed.perCheckpoint)];
      const libCells = l.error
        ? [cell(l.error), '', '', '', '', '', '']
        : [fmt(l.steps.snapshot.wall), fmt(l.steps.serialize.wall), fmt(l.steps.sha256.wall), fmt(l.steps.io.wall), fmt(l.steps.checkpoint.wall), fmt((1000 * l.steps.checkpoint.wall) / r.keys, 2), l.heapState > 0 ? fmtBytes(l.heapState) : '–'];
      L.push(`| \`${cell(r.text)}\` | ${fmtKeys(r.keys)} | ${fmt(r.records)} | ${fmtBytes(bytes)} | ${fmt(bytes / r.keys)} | ${cliCells.join(' | ')} | ${libCells.join(' | ')} |`);
    }
    L.push('', 'Restoring the same states in the library (median of runs): reading the file, decodeCheckpoint (SHA-256 check and v8.deserialize), restore() into freshly built stages; for the window, the far-future record that fires it and the NDJSON encoding of the results.', '');
    L.push('| Program | Keys | read (ms) | decode (ms) | restore (ms) | fire (ms) | encode results (ms) | CPU of decode+restore (ms) |');
    L.push('|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of sizes.rows) {
      const s = r.lib.steps;
      if (r.lib.error) continue;
      const win = r.program === WINDOW.id;
      L.push(`| \`${cell(r.text)}\` | ${fmtKeys(r.keys)} | ${fmt(s.read.wall)} | ${fmt(s.decode.wall)} | ${fmt(s.restore.wall)} | ${win ? fmt(s.fire.wall) : ''} | ${win ? fmt(s.encodeOut.wall) : ''} | ${fmt(s.decode.cpu + s.restore.cpu)} |`);
    }
  }
  if (restart) {
    L.push('', '## 3. Restart to the first output record', '');
    L.push(`\`${WINDOW.text}\`: sluice is started, the probe is appended to its input at once, and the time runs from the spawn to the first output line and to the last expected one. On a state with K keys the probe is one record three hours on: the watermark passes the hour and the window fires K results (so *first record* includes restoring the state and firing the window). Without a state, one record in a window and one past it: the window fires one result. Median of ${o.runs} runs (10 for the plain start-ups).`, '');
    L.push('| Start | First record (ms) | Runs (min–max ms) | All results (ms) | Results |');
    L.push('|---|--:|--:|--:|--:|');
    for (const r of restart) {
      if (r.error) {
        L.push(`| ${cell(r.label)} | ${cell(r.error)} | | | |`);
        continue;
      }
      const range = r.runs ? `${r.runs.length} (${fmt(r.minFirst)}–${fmt(r.maxFirst)})` : `${r.samples}`;
      L.push(`| ${cell(r.label)} | ${fmt(r.first)} | ${range} | ${Number.isFinite(r.all) ? fmt(r.all) : ''} | ${r.keys ? fmt(r.keys) : r.id === 'fresh' || r.id === 'fresh-state' ? '1' : ''} |`);
    }
    const cmds = restart.filter((r) => r.command);
    if (cmds.length) {
      L.push('', 'Commands:', '');
      for (const r of cmds) L.push(`    ${r.command}`);
    }
  }
  return L.join('\n');
}

// ------------------------------------------------------------------------------------------
// main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  const load0 = os.loadavg();
  const sluice = path.resolve(ROOT, o.sluice);
  if (!fs.existsSync(sluice)) throw new Error(`${o.sluice} not found`);
  const probe = spawnSync(sluice, ['where true'], { cwd: ROOT, input: '{}\n', encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`${o.sluice} does not run (exit ${probe.status}: ${firstLine(probe.stderr)}); npm run build first`);
  fs.mkdirSync(WORK, { recursive: true });
  const df = spawnSync('df', ['-T', WORK], { encoding: 'utf8' });
  const fsType = df.status === 0 ? (df.stdout.trim().split('\n').pop().split(/\s+/)[1] ?? '?') : '?';
  const env = {
    started: started.toISOString(),
    argv: process.argv.slice(2),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    fs: fsType,
    load0,
  };
  log(`nproc ${env.nproc}, ${env.cpu}, load ${load0.map((x) => x.toFixed(2)).join(' ')}; parts ${o.parts.join(',')}, runs ${o.runs}`);

  const t3 = o.parts.includes(1) ? await partT3(o, sluice) : null;
  const sizes = o.parts.includes(2) ? await partSizes(o, sluice) : null;
  const restart = o.parts.includes(3) ? await partRestart(o, sluice, sizes) : null;
  env.load1 = os.loadavg();
  env.seconds = (Date.now() - started) / 1000;

  const md = report(o, env, t3, sizes, restart);
  process.stdout.write('\n' + md + '\n');
  fs.writeFileSync(path.join(DATA_DIR, 'state.md'), md + '\n');
  const strip = (rows) => rows?.map(({ lib, ...r }) => ({ ...r, lib: lib && { ...lib } }));
  fs.writeFileSync(
    path.join(DATA_DIR, 'state.json'),
    JSON.stringify({ env, options: o, t3, sizes: sizes && { ...sizes, rows: strip(sizes.rows) }, restart }, null, 2) + '\n',
  );
  log(`wrote ${rel(path.join(DATA_DIR, 'state.md'))} and state.json in ${env.seconds.toFixed(0)}s`);
}

main().catch((err) => {
  log(err.stack || err.message);
  process.exit(2);
});
