// The checkpoint path of src/ without the CLI around it, for bench/state.mjs: builds a program's
// stages with compileProgram, feeds them an NDJSON file, then times each step of a checkpoint
// (the stages' snapshot(), v8.serialize, the SHA-256, the write with its fsyncs) and of a
// restart (read, decodeCheckpoint, restore() into fresh stages, and for a window the firing
// that a far-future record causes). bench/state.mjs bundles this file from src/ with esbuild
// (dist/ is one bundle that exports only the CLI) and runs it in a process of its own.
//
//   node state-harness.bundle.js --program P --input FILE --state FILE [--runs 3] [--fire EPOCH_MS]
//
// Prints one JSON object on stdout. Every time is { wall, cpu } in ms, cpu = user + sys of
// this process (all its threads: GC included).

import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { serialize } from 'node:v8';
import { makeEvent } from '../src/core/event.js';
import { Stats } from '../src/core/stats.js';
import { compileProgram } from '../src/plan/compile.js';
import { decodeCheckpoint, encodeCheckpoint, fileStore } from '../src/runtime/checkpoint.js';
import { encodeNdjson } from '../src/formats/ndjson.js';

function args(argv) {
  const o = { runs: 3, fire: null };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--program': o.program = v; break;
      case '--input': o.input = v; break;
      case '--state': o.state = v; break;
      case '--runs': o.runs = Number(v); break;
      case '--fire': o.fire = Number(v); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

const gc = () => globalThis.gc?.();

async function time(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, t: { wall, cpu: (c.user + c.system) / 1000 } };
}

function build(program) {
  const hooks = { bad() {}, late() {}, assertFailed() {}, warn() {} };
  return compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, new Stats(), hooks).stages;
}

function push(stages, batch, from = 0) {
  let b = batch;
  for (let i = from; i < stages.length && b.length > 0; i++) b = stages[i].push(b);
  return b;
}

async function main() {
  const o = args(process.argv.slice(2));
  const source = { name: o.input };
  const stages = build(o.program);
  for (const s of stages) if (s.kind === 'stateful' && s.partition) s.partition({ kind: 'assigned', partition: o.input });

  // feed the input as the executor would: parsed lines, in batches
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const fed = await time(() => {
    const text = fs.readFileSync(o.input, 'utf8');
    let records = 0;
    let batch = [];
    let line = 0;
    let from = 0;
    const now = Date.now();
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      const raw = text.slice(from, nl);
      from = nl + 1;
      batch.push(makeEvent(JSON.parse(raw), raw, source, ++line, now));
      if (batch.length === 4096) {
        push(stages, batch);
        records += batch.length;
        batch = [];
      }
    }
    push(stages, batch);
    return records + batch.length;
  });
  gc();
  const heapState = process.memoryUsage().heapUsed - heap0;

  const checkpointOf = () => ({
    sluice: 'bench',
    fingerprint: { program: o.program, inputs: [o.input], options: {} },
    taken: Date.now(),
    sequence: 1,
    finished: false,
    inputs: [null],
    stages: stages.map((s) => (s.kind === 'stateful' ? s.snapshot() : null)),
    stats: { recordsIn: fed.value },
  });

  const store = fileStore(o.state);
  const runs = [];
  let bytes = 0;
  for (let r = 0; r < o.runs; r++) {
    gc();
    const snap = await time(checkpointOf);
    const ser = await time(() => serialize(snap.value));
    const hash = await time(() => createHash('sha256').update(ser.value).digest());
    const enc = await time(() => encodeCheckpoint(snap.value));
    bytes = enc.value.length;
    ser.value = enc.value = null;
    // the whole of fileStore.save: encode again, write, fsync, rename, fsync the folder
    const save = await time(() => store.save(snap.value));
    runs.push({ snapshot: snap.t, serialize: ser.t, sha256: hash.t, encode: enc.t, save: save.t });
  }

  // restart: read, check and deserialize, restore into freshly built stages
  gc();
  const restarts = [];
  let fired = null;
  for (let r = 0; r < o.runs; r++) {
    gc();
    const read = await time(() => fs.promises.readFile(o.state));
    const decode = await time(() => decodeCheckpoint(read.value, o.state));
    read.value = null;
    const fresh = build(o.program);
    const restore = await time(() => {
      for (let i = 0; i < fresh.length; i++) if (fresh[i].kind === 'stateful') fresh[i].restore(decode.value.stages[i]);
    });
    decode.value = null;
    const run = { read: read.t, decode: decode.t, restore: restore.t };
    if (o.fire !== null) {
      // a record far past the window's end: the watermark passes it and every group fires
      const ev = makeEvent({ ts: o.fire, key: 'probe', v: 1 }, undefined, source, 0, Date.now());
      const fire = await time(() => push(fresh, [ev]));
      const enc = encodeNdjson({ passRaw: false });
      const out = await time(() => enc.write(fire.value));
      run.fire = fire.t;
      run.encodeOut = out.t;
      fired = fire.value.length;
    }
    restarts.push(run);
  }

  process.stdout.write(JSON.stringify({ records: fed.value, feed: fed.t, heapState, bytes, runs, restarts, fired }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`state-harness: ${e.stack || e.message}\n`);
  process.exit(1);
});
