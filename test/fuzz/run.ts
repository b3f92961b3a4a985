// `npm run fuzz`: the long run of the in-process fuzzers. One worker thread per target at a time
// (SLUICE_FUZZ_JOBS at once, default 1 on this shared machine), each checking inputs of the run
// SLUICE_FUZZ_SEED (default: random, printed) up to SLUICE_FUZZ_INPUTS per target (default 10^6).
// A worker writes the index of the input it is on into shared memory; the main thread's watchdog
// ends a worker that stays on one input for SLUICE_FUZZ_HANG_MS (default 10 s), records a hang
// with that input, and starts a new worker after it. Prints per target: inputs, crashes, hangs,
// known bugs (by issue item); random programs likewise (SLUICE_FUZZ_PROGRAMS, default 10^5; programs.ts);
// then SLUICE_FUZZ_CLI_INPUTS cases (default 2000) through bin/sluice
// (cli.ts), and exits 1 when there is any crash or hang. SLUICE_FUZZ_TARGETS=json,bin/sluice picks targets.

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { describeFinding, emptyTally, runTarget, type Finding, type Tally } from './engine.js';
import { cliFinding } from './cli.js';
import { checkProgram, program } from './programs.js';
import { allTargets } from './targets.js';

interface Job { target: string; seed: number; from: number; to: number; hangMs: number; progress: SharedArrayBuffer }
/** What a worker posts after every few thousand inputs: the tally of those, and up to where it got. */
interface Report { to: number; done: boolean; tally: { inputs: number; crashes: Finding[]; hangs: Finding[]; known: [string, number][] } }

const PROGRAMS = 'programs';
const SLOW_MS = 2000; // an input that finishes but takes longer counts as a hang too

if (!isMainThread) {
  const job = workerData as Job;
  const at = new Int32Array(job.progress);
  if (job.target === PROGRAMS) await programsWorker(job, at);
  const target = allTargets().find((t) => t.name === job.target);
  const STEP = 5000;
  for (let from = job.from; target !== undefined && from < job.to; from += STEP) {
    const to = Math.min(job.to, from + STEP);
    const tally = runTarget(target, job.seed, from, to, SLOW_MS, (i) => Atomics.store(at, 0, i));
    parentPort!.postMessage({ to, done: to === job.to, tally: { ...tally, known: [...tally.known] } } satisfies Report);
  }
} else {
  await main();
}

/** Random programs (programs.ts), compiled and run over random records, in a worker like the rest. */
async function programsWorker(job: Job, at: Int32Array): Promise<void> {
  const STEP = 500;
  for (let from = job.from; from < job.to; from += STEP) {
    const to = Math.min(job.to, from + STEP);
    const tally = emptyTally();
    for (let i = from; i < to; i++) {
      Atomics.store(at, 0, i);
      const t = performance.now();
      const o = await checkProgram(job.seed, i);
      const ms = performance.now() - t;
      tally.inputs++;
      const finding = (what: string): Finding => ({ target: PROGRAMS, seed: job.seed, index: i, what, input: JSON.stringify(program(job.seed, i)) });
      if (o.kind === 'crash') tally.crashes.push(finding(o.what));
      else if (o.kind === 'known') tally.known.set(o.what!, (tally.known.get(o.what!) ?? 0) + 1);
      else if (ms > SLOW_MS) tally.hangs.push(finding(`took ${ms.toFixed(0)} ms`));
    }
    parentPort!.postMessage({ to, done: to === job.to, tally: { ...tally, known: [...tally.known] } } satisfies Report);
  }
}

async function main(): Promise<void> {
  const seed = Number(process.env.SLUICE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const inputs = Number(process.env.SLUICE_FUZZ_INPUTS ?? 1_000_000);
  const hangMs = Number(process.env.SLUICE_FUZZ_HANG_MS ?? 10_000);
  const jobs = Math.max(1, Number(process.env.SLUICE_FUZZ_JOBS ?? 1));
  const only = process.env.SLUICE_FUZZ_TARGETS?.split(',').map((s) => s.trim());
  const programs = Number(process.env.SLUICE_FUZZ_PROGRAMS ?? 100_000);
  const targets = [...allTargets().map((t) => t.name), ...(programs > 0 ? [PROGRAMS] : [])].filter((n) => only === undefined || only.includes(n));
  const queue = [...targets];
  const cliInputs = Number(process.env.SLUICE_FUZZ_CLI_INPUTS ?? 2000);
  process.stdout.write(`sluice fuzz: seed ${seed}; ${inputs} inputs per decoder and parser, ${programs} programs, ${cliInputs} bin/sluice cases; ${jobs} at a time (SLUICE_FUZZ_SEED=${seed} runs it again)\n`);
  const results = new Map<string, Tally & { ms: number }>();
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const t = performance.now();
      const tally = await fuzzTarget(name, seed, name === PROGRAMS ? programs : inputs, hangMs);
      const r = { ...tally, ms: performance.now() - t };
      results.set(name, r);
      process.stdout.write(line(name, r) + '\n');
    }
  }));
  if (cliInputs > 0 && (only === undefined || only.includes('bin/sluice'))) {
    const t = performance.now();
    const r = { ...(await fuzzCli(seed, cliInputs, jobs)), ms: 0 };
    r.ms = performance.now() - t;
    results.set('bin/sluice', r);
    targets.push('bin/sluice');
    process.stdout.write(line('bin/sluice', r) + '\n');
  }
  let bad = 0;
  process.stdout.write('\n' + 'target'.padEnd(14) + 'inputs'.padStart(10) + 'crashes'.padStart(9) + 'hangs'.padStart(7) + '  known bugs\n');
  for (const name of targets) {
    const r = results.get(name)!;
    bad += r.crashes.length + r.hangs.length;
    process.stdout.write(line(name, r) + '\n');
  }
  for (const r of results.values()) for (const f of [...r.crashes, ...r.hangs]) process.stdout.write(describeFinding(f) + '\n');
  process.stdout.write(`sluice fuzz: ${bad === 0 ? 'no crashes, no hangs' : `${bad} crashes and hangs`} (seed ${seed})\n`);
  process.exitCode = bad === 0 ? 0 : 1;
}

function line(name: string, r: Tally & { ms: number }): string {
  const known = [...r.known].map(([k, n]) => `${k}: ${n}`).join('; ') || '-';
  return name.padEnd(14) + String(r.inputs).padStart(10) + String(r.crashes.length).padStart(9) + String(r.hangs.length).padStart(7) + `  ${known}  (${(r.ms / 1000).toFixed(1)} s)`;
}

/** All inputs of one target, in workers: a hung worker is ended and the run goes on after its input. */
async function fuzzTarget(target: string, seed: number, inputs: number, hangMs: number): Promise<Tally> {
  const total = emptyTally();
  let from = 0;
  while (from < inputs) {
    const progress = new SharedArrayBuffer(4);
    const at = new Int32Array(progress);
    Atomics.store(at, 0, from);
    const worker = new Worker(new URL(import.meta.url), { workerData: { target, seed, from, to: inputs, hangMs, progress } satisfies Job });
    let accounted = from; // inputs before this one have their findings in `total`
    const result = await new Promise<{ hungAt?: number; error?: unknown }>((resolve) => {
      let last = from;
      let since = performance.now();
      const timer = setInterval(() => {
        const i = Atomics.load(at, 0);
        if (i !== last) {
          last = i;
          since = performance.now();
        } else if (performance.now() - since > hangMs) {
          clearInterval(timer);
          void worker.terminate();
          resolve({ hungAt: i });
        }
      }, 250);
      worker.on('message', (m: Report) => {
        total.inputs += m.tally.inputs;
        total.crashes.push(...m.tally.crashes);
        total.hangs.push(...m.tally.hangs);
        for (const [k, n] of m.tally.known) total.known.set(k, (total.known.get(k) ?? 0) + n);
        accounted = m.to;
        if (m.done) {
          clearInterval(timer);
          resolve({});
        }
      });
      worker.on('error', (error) => {
        clearInterval(timer);
        resolve({ error, hungAt: Atomics.load(at, 0) });
      });
    });
    if (result.hungAt === undefined) break;
    // the inputs between the last report and the hang were checked, but their findings died with the worker
    const h = result.hungAt;
    const text = target === PROGRAMS ? program(seed, h) : allTargets().find((x) => x.name === target)!.input(seed, h).text;
    const finding: Finding = { target, seed, index: h, what: result.error ? `worker died: ${String(result.error)}` : `no result after ${hangMs} ms`, input: JSON.stringify(text).slice(0, 2000) };
    if (result.error) total.crashes.push(finding);
    else total.hangs.push(finding);
    total.inputs += h - accounted + 1;
    from = h + 1;
  }
  return total;
}

/** The spawned-binary layer (cli.ts): `jobs` processes' worth at a time (each case runs three). */
async function fuzzCli(seed: number, inputs: number, jobs: number): Promise<Tally> {
  const tally = emptyTally();
  let next = 0;
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let i = next++; i < inputs; i = next++) {
      const f = await cliFinding(seed, i);
      tally.inputs++;
      if (f === null) continue;
      if ('known' in f) {
        const key = f.known.join(' + ');
        tally.known.set(key, (tally.known.get(key) ?? 0) + 1);
      } else {
        tally.crashes.push({ target: 'bin/sluice', seed, index: i, what: f.what, input: f.input });
      }
    }
  }));
  return tally;
}
