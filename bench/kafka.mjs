#!/usr/bin/env node
// Kafka throughput: sluice against kcat (librdkafka, C), producing and consuming N small JSON
// messages on one broker. Not a test: it prints a Markdown table (also written to
// bench/data/kafka-results.md) and keeps going when a step fails.
//
//   node bench/kafka.mjs [--n 1000000] [--partitions 1] [--runs 1] [--timeout 300]
//                        [--profile] [--sluice bin/sluice]
//
// Starts a broker (scripts/kafka/broker.mjs) unless KAFKA_BROKERS is set. See bench/README.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseIntOption } from './gen.mjs';
import { resolveKafka, runKafkaTool, startBroker } from '../scripts/kafka/broker.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DATA = path.join(HERE, 'data');
const HAVE_TIME = fs.existsSync('/usr/bin/time');
const loadStart = os.loadavg()[0].toFixed(1);
const SERVICES = 10;

function parseArgs(argv) {
  const o = { n: 1_000_000, partitions: 1, runs: 1, timeout: 300, profile: false, sluice: 'bin/sluice' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--n': o.n = parseIntOption(val(), '--n'); break;
      case '--partitions': o.partitions = parseIntOption(val(), '--partitions'); break;
      case '--runs': o.runs = parseIntOption(val(), '--runs'); break;
      case '--timeout': o.timeout = Number(val()); break;
      case '--profile': o.profile = true; break;
      case '--sluice': o.sluice = val(); break;
      case '-h':
      case '--help':
        console.log('usage: node bench/kafka.mjs [--n 1000000] [--partitions 1] [--runs 1] [--timeout 300] [--profile] [--sluice bin/sluice]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

const log = (s) => console.error(`[kafka-bench] ${s}`);
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** The input: N lines {"id":N,"service":"svcK","status":200,"latency_ms":12.5}, made once per N. */
function ensureMessages(n) {
  fs.mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `kafka-messages-${n}.ndjson`);
  if (fs.existsSync(file)) return file;
  const fd = fs.openSync(file + '.tmp', 'w');
  let buf = [];
  for (let i = 0; i < n; i++) {
    buf.push(`{"id":${i},"service":"svc${i % SERVICES}","status":200,"latency_ms":12.5}`);
    if (buf.length === 50_000) { fs.writeSync(fd, buf.join('\n') + '\n'); buf = []; }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
  fs.renameSync(file + '.tmp', file);
  return file;
}

/** Run a shell line; wall time here, CPU and peak RSS from /usr/bin/time (children included). */
function shell(line, timeoutS) {
  return new Promise((resolve) => {
    const timeFile = path.join(os.tmpdir(), `sluice-kbench-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const argv = HAVE_TIME ? ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, 'sh', '-c', line] : ['sh', '-c', line];
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { if (stdout.length < 1e6) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { if (stderr.length < 1e5) stderr += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpu = null;
      let rssMB = null;
      try {
        const [u, s, m] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        if (Number.isFinite(u) && Number.isFinite(s)) cpu = u + s;
        if (Number.isFinite(m)) rssMB = m / 1024;
        fs.unlinkSync(timeFile);
      } catch {}
      // /usr/bin/time's own "Command exited with non-zero status" line is not the command's
      const err = stderr.split('\n').filter((l) => l && !/^Command exited with non-zero status/.test(l));
      resolve({ code: timedOut ? 'timeout' : code, wall, cpu, rssMB, stdout, stderr: err.join('\n') });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * kafkajs as published, with nothing of sluice: a bare consumer that only counts messages, or
 * a bare producer sending the file's lines (1,000 per send, 4 in flight). The consumer is what
 * sluice would be held to without its own record-batch decoder (src/kafka/kafkajs-fast.ts). Run as
 * `node bench/kafka.mjs --bare consume|produce BROKERS TOPIC N [FILE]`.
 */
async function bare([mode, brokers, topic, nText, file]) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench', logLevel: logLevel.NOTHING });
  const n = Number(nText);
  if (mode === 'produce') {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const p = kafka.producer({ allowAutoTopicCreation: false });
    await p.connect();
    const live = new Set();
    for (let i = 0; i < lines.length; i += 1000) {
      const sent = p.send({ topic, acks: -1, messages: lines.slice(i, i + 1000).map((value) => ({ value })) }).then(() => live.delete(sent));
      live.add(sent);
      if (live.size >= 4) await Promise.race(live);
    }
    await Promise.all(live);
    await p.disconnect();
    return;
  }
  const c = kafka.consumer({ groupId: `bench-bare-${Date.now()}`, maxWaitTimeInMs: 250 });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise((resolve) => {
    void c.run({ autoCommit: false, eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.value) seen++;
      if (seen >= n) resolve();
    } });
  });
  console.log(seen);
  process.exit(0);
}

async function main() {
  if (process.argv[2] === '--bare') return bare(process.argv.slice(3));
  const o = parseArgs(process.argv.slice(2));
  const sluice = path.resolve(ROOT, o.sluice);
  if (spawnSync('kcat', ['-V']).error) throw new Error('kcat is not installed (apt-get install kcat)');

  let broker = null;
  let brokers = process.env.KAFKA_BROKERS;
  let dist;
  if (brokers) {
    log(`using KAFKA_BROKERS=${brokers}`);
    dist = await resolveKafka();
  } else {
    broker = await startBroker({ log });
    brokers = broker.brokers;
    dist = broker.dist;
  }
  const stop = async () => { if (broker) await broker.stop(); };
  process.on('SIGINT', () => { void stop().then(() => process.exit(130)); });

  try {
    const file = ensureMessages(o.n);
    const bytes = fs.statSync(file).size;
    log(`input ${path.relative(ROOT, file)}: ${o.n} messages, ${(bytes / o.n).toFixed(0)} B each`);

    const stamp = Date.now().toString(36);
    const topicFor = (what, run) => `sluice-bench-${stamp}-${what}-${run}`;
    const created = [];
    const createTopic = async (topic) => {
      const r = await runKafkaTool(dist, dist.classes.topicCommand, [
        '--bootstrap-server', brokers, '--create', '--topic', topic,
        '--partitions', String(o.partitions), '--replication-factor', '1',
      ]);
      if (r.code !== 0) throw new Error(`creating ${topic}: ${r.stderr || r.stdout}`);
      created.push(topic);
    };

    /** Messages in a topic, from sluice's own inspector (sum of high - low). */
    const messagesIn = async (topic) => {
      const r = await shell(`${q(sluice)} kafka describe ${q(topic)} -b ${q(brokers)} -O ndjson`, 60);
      if (r.code !== 0) return `? (${r.stderr.split('\n')[0]})`;
      return r.stdout.split('\n').filter(Boolean).reduce((s, l) => s + JSON.parse(l).messages, 0);
    };

    const countLines = (out) => Number(out.trim());
    const countByService = (out) => {
      const rows = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return rows.length === SERVICES ? rows.reduce((s, r) => s + r.count, 0) : `${rows.length} rows`;
    };

    // step: name, tool, shell line per run, and how to check the result (→ true or a reason)
    const steps = [];
    const results = [];
    const runStep = async ({ step, tool, line, prepare, check }) => {
      const walls = [];
      const cpus = [];
      const rss = [];
      let failure = null;
      let checked = 'ok';
      for (let run = 0; run < o.runs; run++) {
        const ctx = prepare ? await prepare(run) : {};
        const cmd = line(ctx);
        log(`${step} / ${tool} (run ${run + 1}/${o.runs}): ${cmd}`);
        const r = await shell(cmd, o.timeout);
        if (r.code !== 0) {
          failure = `failed (exit ${r.code}${r.stderr ? `: ${r.stderr.split('\n')[0].slice(0, 120)}` : ''})`;
          break;
        }
        walls.push(r.wall);
        if (r.cpu !== null) cpus.push(r.cpu);
        if (r.rssMB !== null) rss.push(r.rssMB);
        const got = await check(r, ctx);
        if (got !== o.n) checked = `MISMATCH: ${got} messages, expected ${o.n}`;
      }
      const wall = walls.length ? median(walls) : null;
      const row = {
        step, tool, command: line(prepare ? await prepare(-1, true) : {}),
        wall, rate: wall ? o.n / wall : null, mbps: wall ? bytes / wall / 1e6 : null,
        cpu: cpus.length ? median(cpus) : null, rssMB: rss.length ? Math.max(...rss) : null,
        runs: walls.length, failure, check: failure ? '' : checked,
      };
      results.push(row);
      log(row.failure ?? `${step} / ${tool}: ${row.rate.toFixed(0)} msg/s (${wall.toFixed(2)} s), check ${row.check}`);
      return row;
    };

    // the topic kcat fills once and every consumer reads
    const input = topicFor('in', 0);
    await createTopic(input);
    const fresh = (what) => async (run, dry = false) => {
      if (dry) return { topic: `<${what} topic>` };
      const topic = topicFor(what, run);
      await createTopic(topic);
      return { topic };
    };

    steps.push({
      step: 'produce', tool: 'kcat -P',
      prepare: async (run, dry) => (run === 0 || dry ? { topic: input } : fresh('kcat')(run)),
      line: ({ topic }) => `kcat -b ${q(brokers)} -P -t ${q(topic)} < ${q(path.relative(ROOT, file))}`,
      check: async (_, { topic }) => messagesIn(topic),
    });
    steps.push({
      step: 'produce', tool: 'sluice --to',
      prepare: fresh('sluice'),
      line: ({ topic }) => `${q(o.sluice)} 'where true' ${q(path.relative(ROOT, file))} --to kafka://${brokers}/${topic}`,
      check: async (_, { topic }) => messagesIn(topic),
    });
    steps.push({
      step: 'produce', tool: "sluice --to, kafkajs's encoder",
      prepare: fresh('sluice-kafkajs'),
      line: ({ topic }) => `SLUICE_KAFKAJS_DECODER=kafkajs ${q(o.sluice)} 'where true' ${q(path.relative(ROOT, file))} --to kafka://${brokers}/${topic}`,
      check: async (_, { topic }) => messagesIn(topic),
    });
    steps.push({
      step: 'produce', tool: 'kafkajs, bare',
      prepare: fresh('bare'),
      line: ({ topic }) => `node bench/kafka.mjs --bare produce ${q(brokers)} ${q(topic)} ${o.n} ${q(path.relative(ROOT, file))}`,
      check: async (_, { topic }) => messagesIn(topic),
    });
    steps.push({
      step: 'consume', tool: 'kcat -C | wc -l',
      line: () => `kcat -b ${q(brokers)} -C -e -q -o beginning -t ${q(input)} | wc -l`,
      check: async (r) => countLines(r.stdout),
    });
    steps.push({
      step: 'consume', tool: 'kafkajs, bare',
      line: () => `node bench/kafka.mjs --bare consume ${q(brokers)} ${q(input)} ${o.n}`,
      check: async (r) => countLines(r.stdout),
    });
    steps.push({
      step: 'consume', tool: "sluice 'count() by service'",
      line: () => `${q(o.sluice)} -o beginning -e 'count() by service' kafka://${brokers}/${input}`,
      check: async (r) => countByService(r.stdout),
    });
    steps.push({
      step: 'consume', tool: "sluice 'count() by service', kafkajs's decoder",
      line: () => `SLUICE_KAFKAJS_DECODER=kafkajs ${q(o.sluice)} -o beginning -e 'count() by service' kafka://${brokers}/${input}`,
      check: async (r) => countByService(r.stdout),
    });
    steps.push({
      step: 'consume', tool: "sluice 'where true' | wc -l",
      line: () => `${q(o.sluice)} -o beginning -e 'where true' kafka://${brokers}/${input} | wc -l`,
      check: async (r) => countLines(r.stdout),
    });
    for (const s of steps) await runStep(s);

    let profile = '';
    if (o.profile) {
      profile = await profileRun(
        `${q(o.sluice)} -o beginning -e 'count() by service' kafka://${brokers}/${input}`, 'consumer (`count() by service`)', o);
      const topic = topicFor('prof', 0);
      await createTopic(topic);
      profile += '\n' + await profileRun(
        `${q(o.sluice)} 'where true' ${q(path.relative(ROOT, file))} --to kafka://${brokers}/${topic}`, 'producer (`where true … --to`)', o);
    }

    const report = renderReport(results, o, brokers, broker, bytes, profile);
    console.log(report);
    fs.writeFileSync(path.join(DATA, 'kafka-results.md'), report + '\n');
    fs.writeFileSync(path.join(DATA, 'kafka-results.json'), JSON.stringify({ n: o.n, partitions: o.partitions, results }, null, 2) + '\n');

    if (!broker && created.length) {
      // an existing cluster: leave it as we found it
      await Promise.all(created.map((t) => runKafkaTool(dist, dist.classes.topicCommand, ['--bootstrap-server', brokers, '--delete', '--topic', t])));
    }
  } finally {
    await stop();
  }
}

/** Run a sluice command under --cpu-prof and sum self time by function and by layer. */
async function profileRun(command, what, o) {
  const dir = path.join(DATA, 'prof', what.replace(/ .*/, ''));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const line = `node --cpu-prof --cpu-prof-dir ${q(dir)} ${command}`;
  log(`profile: ${line}`);
  const r = await shell(line, o.timeout);
  if (r.code !== 0) return `Profile failed (exit ${r.code}: ${r.stderr.split('\n')[0]})\n`;
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return 'Profile: no .cpuprofile written\n';
  const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const dt = (prof.endTime - prof.startTime) / Math.max(1, prof.samples.length); // µs per sample
  const byFn = new Map();
  const byLayer = new Map();
  let total = 0;
  for (const node of prof.nodes) {
    if (!node.hitCount) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const ms = (node.hitCount * dt) / 1000;
    total += ms;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(ROOT + '/', '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
    const layer = !url ? (functionName.startsWith('(') ? functionName : 'native') :
      url.includes('node_modules/kafkajs') ? 'kafkajs' :
      url.includes('/dist/') ? 'sluice (dist/)' :
      url.startsWith('node:') ? 'node internals' : 'other';
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + ms);
  }
  const pct = (ms) => `${((100 * ms) / total).toFixed(1)}%`;
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const layers = [...byLayer].sort((a, b) => b[1] - a[1]);
  return [
    `### Where the sluice ${what} spends its time (--cpu-prof, ${(total / 1000).toFixed(1)} s sampled)`,
    '',
    '| layer | self time | share |', '|---|---:|---:|',
    ...layers.map(([k, ms]) => `| ${k} | ${(ms / 1000).toFixed(2)} s | ${pct(ms)} |`),
    '',
    '| function (self time) | ms | share |', '|---|---:|---:|',
    ...top.map(([k, ms]) => `| \`${k}\` | ${ms.toFixed(0)} | ${pct(ms)} |`),
    '',
    `Profile: ${path.relative(ROOT, path.join(dir, file))} (open in Chrome DevTools → Performance).`,
    '',
  ].join('\n');
}

function renderReport(results, o, brokers, broker, bytes, profile) {
  const f = (x, d = 2) => (x === null || x === undefined ? '' : x.toFixed(d));
  const int = (x) => (x === null ? '' : Math.round(x).toLocaleString('en-US'));
  const cell = (t) => t.replace(/\|/g, '\\|');
  const rows = results.map((r) => `| ${r.step} | ${cell(r.tool)} | ${r.failure ?? int(r.rate)} | ${f(r.mbps, 1)} | ${f(r.wall)} | ${f(r.cpu)} | ${r.cpu ? int(o.n / r.cpu) : ''} | ${f(r.rssMB, 0)} | ${r.check} |`);
  const rate = (step, tool) => results.find((r) => r.step === step && r.tool === tool && !r.failure)?.rate ?? null;
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');
  const kcatC = rate('consume', 'kcat -C | wc -l');
  const kcatP = rate('produce', 'kcat -P');
  const cpuInfo = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `## Kafka: sluice vs kcat, ${o.n.toLocaleString('en-US')} messages of ${(bytes / o.n).toFixed(0)} B`,
    '',
    `Broker: ${broker ? `Kafka ${broker.version}, single node on ${brokers} (started by the benchmark)` : `KAFKA_BROKERS=${brokers}`}; ` +
      `${o.partitions} partition(s); ${os.cpus().length} × ${cpuInfo}; Node ${process.version}; ` +
      `kcat ${(spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout.match(/Version (\S+)/) ?? [])[1] ?? '?'}; median of ${o.runs} run(s).`,
    '',
    '| step | tool | messages/s | MB/s | wall (s) | CPU user+sys (s) | messages/CPU-s | peak RSS (MB) | check |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `- consume, sluice \`count() by service\` ÷ kcat: **${ratio(rate('consume', "sluice 'count() by service'"), kcatC)}** (goal ≥ 1.00×)`,
    `- consume, sluice \`where true\` (decode + encode NDJSON) ÷ kcat: **${ratio(rate('consume', "sluice 'where true' | wc -l"), kcatC)}**`,
    `- produce, sluice \`--to\` ÷ kcat -P: **${ratio(rate('produce', 'sluice --to'), kcatP)}** (goal ≥ 0.50×); with kafkajs's own encoder (SLUICE_KAFKAJS_DECODER=kafkajs): ${ratio(rate('produce', "sluice --to, kafkajs's encoder"), kcatP)}`,
    `- kafkajs as published (a bare client that only counts, or sends 1,000 lines per send) ÷ kcat: consume **${ratio(rate('consume', 'kafkajs, bare'), kcatC)}**, produce **${ratio(rate('produce', 'kafkajs, bare'), kcatP)}**; sluice ÷ bare kafkajs: consume **${ratio(rate('consume', "sluice 'count() by service'"), rate('consume', 'kafkajs, bare'))}**, produce **${ratio(rate('produce', 'sluice --to'), rate('produce', 'kafkajs, bare'))}**`,
    `- sluice's record-batch decoder: \`count() by service\` with it ÷ with kafkajs's own (SLUICE_KAFKAJS_DECODER=kafkajs): **${ratio(rate('consume', "sluice 'count() by service'"), rate('consume', "sluice 'count() by service', kafkajs's decoder"))}**`,
    '',
    'CPU and RSS include the whole pipeline (kcat + wc, or sluice + wc); the broker runs on the same machine.',
    `Load average ${loadStart} at the start, ${os.loadavg()[0].toFixed(1)} at the end (${os.cpus().length} CPUs)` +
      (Math.max(Number(loadStart), os.loadavg()[0]) > os.cpus().length ? ': a busy machine, wall times are inflated; messages/CPU-s is the steadier number.' : '.'),
    '',
    profile,
  ].join('\n');
}

main().catch((e) => {
  console.error(`kafka bench: ${e?.stack ?? e}`);
  process.exit(1);
});
