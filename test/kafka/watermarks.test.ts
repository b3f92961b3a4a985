// Watermarks per input partition, on a real broker: the same records through topics of 1, 3 and 8
// partitions (keys spread by kcat, event times at most 2 s out of order) and from a file give the
// same window results, with no late record; and a stateful job with a group and --state commits
// while it runs, so `sluice kafka lag` is true, and survives SIGKILL without losing a window.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka as KafkaT } from 'kafkajs';
import { beforeAll, expect, it } from 'vitest';
import { withAdmin } from '../../src/kafka/client.js';
import { crashCycles, prng } from '../state/crash.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, kcatProduce, kcatRead, lines, Running, sluice, untilCommitted } from './support.js';

const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as typeof import('kafkajs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const N = 6000;
const PROGRAM = 'window tumbling 10s on ts allow 3s | count(), sum(v) by k';

/** Records with keys; each one's event time is at most 2 s before the one produced before it. */
function records(seed: number, n = N): { key: string; value: string }[] {
  const rnd = prng(seed);
  const out: { key: string; value: string }[] = [];
  const t0 = 1_714_564_800_000;
  for (let i = 0; i < n; i++) {
    const k = `k${Math.floor(rnd() * 12)}`;
    out.push({ key: k, value: `{"ts":${t0 + i * 25 - Math.floor(rnd() * 2000)},"k":"${k}","v":${i}}` });
  }
  return out;
}

const sorted = (ls: string[]) => [...ls].sort();

describeKafka('watermarks per partition', () => {
  const B = kafkaBrokers()!;
  const recs = records(7);
  const topics = { p1: uniqueTopic('wm1'), p3: uniqueTopic('wm3'), p8: uniqueTopic('wm8'), job: uniqueTopic('wmjob') };
  let fromFile: string[] = [];
  /** the job topic holds more records, so that a SIGKILL lands mid-way */
  const JOB_N = 40_000;
  const jobRecs = records(13, JOB_N);
  let jobFromFile: string[] = [];

  beforeAll(async () => {
    await createTopics(B, { [topics.p1]: 1, [topics.p3]: 3, [topics.p8]: 8, [topics.job]: 3 });
    const keyed = (rs: typeof recs) => rs.map((r) => `${r.key}\t${r.value}`);
    for (const t of [topics.p1, topics.p3, topics.p8]) await kcatProduce(B, t, keyed(recs), ['-K', '\t']);
    await kcatProduce(B, topics.job, keyed(jobRecs), ['-K', '\t']);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-wm-'));
    const fileRun = async (rs: typeof recs, name: string) => {
      writeFileSync(join(dir, name), rs.map((r) => r.value).join('\n') + '\n');
      const r = await sluice([PROGRAM, join(dir, name)]);
      expect(r.code).toBe(0);
      return lines(r.stdout);
    };
    fromFile = await fileRun(recs, 'events.ndjson');
    jobFromFile = await fileRun(jobRecs, 'job.ndjson');
    expect(fromFile.length).toBeGreaterThan(100);
  }, 120_000);

  for (const p of ['p1', 'p3', 'p8'] as const) {
    it(`${p.slice(1)} partition(s) with -e: the file's windows, none late`, async () => {
      const r = await sluice(['--stats', PROGRAM, `kafka://${B}/${topics[p]}`, '-e']);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/late records/);
      expect(sorted(lines(r.stdout))).toEqual(sorted(fromFile));
    }, 60_000);
  }

  it('a group with --state commits at checkpoints while it runs (lag is true), and SIGKILL loses no window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-wm-job-'));
    const group = uniqueTopic('g-wm');
    const state = join(dir, 'job.state');
    // a live member: after a few checkpoints the group's committed offsets cover everything read
    const live = new Running(['--state', state, '--checkpoint-every', '100ms', PROGRAM, `kafka://${B}/${topics.job}`, '-G', group]);
    const done = await untilCommitted(B, group, topics.job, (n) => n === JOB_N, { everyMs: 50, tries: 601 });
    if (done !== JOB_N) throw new Error(`the group committed ${done} of ${JOB_N} while running; ${live.stderr}`);
    expect(live.child.exitCode).toBeNull(); // still running: the commits came from checkpoints
    live.kill('SIGINT');
    expect((await live.exited).code).toBe(130);

    // SIGKILL at random moments over the same topic, a new group and state each cycle
    const rnd = prng(11);
    let kills = 0;
    // on a quiet machine a run may end before its SIGKILL: go on until a cycle had one
    for (let c = 0; c < 5 && kills === 0; c++) {
      const g = uniqueTopic('g-wm-kill');
      const r = await crashCycles({
        args: (run) => ['--state', join(dir, `k${c}.state`), '--checkpoint-every', '50ms', PROGRAM, `kafka://${B}/${topics.job}`, '-G', g, '-e',
          '-X', 'max.partition.fetch.bytes=4096', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000',
          '--to', join(dir, `out-${c}-${run}.ndjson`)],
        out: (run) => join(dir, `out-${c}-${run}.ndjson`),
        expected: jobFromFile,
        killMs: () => 100 + Math.floor(rnd() * 400),
        maxRuns: 30,
      });
      expect(r.lost).toEqual([]);
      expect(r.wrong).toEqual([]);
      expect(r.misplaced).toBe(0);
      kills += r.kills;
    }
    expect(kills).toBeGreaterThanOrEqual(1);
  }, 180_000);
});

describeKafka('--state with --exactly-once (a local state file)', () => {
  const B = kafkaBrokers()!;
  const input = uniqueTopic('eos-state-in');
  const output = uniqueTopic('eos-state-out');
  const recs = records(23, 20_000);

  it('SIGKILL at random moments: a read_committed reader sees every window result exactly once', async () => {
    await createTopics(B, { [input]: 3, [output]: 1 });
    await kcatProduce(B, input, recs.map((r) => `${r.key}\t${r.value}`), ['-K', '\t']);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-eos-state-'));
    writeFileSync(join(dir, 'in.ndjson'), recs.map((r) => r.value).join('\n') + '\n');
    const ref = await sluice([PROGRAM, join(dir, 'in.ndjson')]);
    expect(ref.code).toBe(0);
    const group = uniqueTopic('g-eos-state');
    const rnd = prng(29);
    const r = await crashCycles({
      args: () => ['--state', join(dir, 'job.state'), '--checkpoint-every', '100ms', PROGRAM, `kafka://${B}/${input}`, '-G', group, '-e',
        '--exactly-once', '--to', `kafka://${B}/${output}`, '--key', 'k',
        '-X', 'max.partition.fetch.bytes=4096', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'],
      out: () => join(dir, 'none'),
      expected: [],
      killMs: () => 200 + Math.floor(rnd() * 700),
      maxRuns: 25,
    });
    expect(r.kills).toBeGreaterThanOrEqual(1);
    const committed = lines((await kcatRead(B, output, ['-X', 'isolation.level=read_committed'])).stdout);
    expect(sorted(committed)).toEqual(sorted(lines(ref.stdout)));
  }, 180_000);

  it('a member that still holds partitions (as a killed predecessor does until its session expires): -e waits for them, also those no checkpoint had, and nothing is missing', async () => {
    const input2 = uniqueTopic('eos-hold-in');
    const output2 = uniqueTopic('eos-hold-out');
    const group = uniqueTopic('g-eos-hold');
    const few = records(37, 3000);
    await createTopics(B, { [input2]: 3, [output2]: 1 });
    await kcatProduce(B, input2, few.map((r) => `${r.key}\t${r.value}`), ['-K', '\t']);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-eos-hold-'));
    writeFileSync(join(dir, 'in.ndjson'), few.map((r) => r.value).join('\n') + '\n');
    const ref = await sluice([PROGRAM, join(dir, 'in.ndjson')]);
    expect(ref.code).toBe(0);
    const ends = await withAdmin({ brokers: [B], settings: {}, timeoutMs: 10_000, clientId: 'sluice-tests' },
      async (a) => new Map((await a.fetchTopicOffsets(input2)).map((o) => [o.partition, Number(o.high)])));

    // the holder: a member of the group that reads nothing and commits nothing
    const kafka: KafkaT = new Kafka({ brokers: [B], clientId: 'sluice-tests-holder', logLevel: logLevel.NOTHING });
    const holder = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 1000 });
    let held: number[] = [];
    holder.on(holder.events.GROUP_JOIN, ({ payload }) => {
      held = payload.memberAssignment[input2] ?? [];
      holder.pause([{ topic: input2 }]);
    });
    await holder.connect();
    await holder.subscribe({ topics: [input2], fromBeginning: true });
    await holder.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    try {
      for (let i = 0; held.length < 3; i++) {
        if (i > 300) throw new Error('the holder never got the partitions');
        await sleep(50);
      }
      const job = new Running(['--state', join(dir, 'job.state'), '--checkpoint-every', '100ms', PROGRAM, `kafka://${B}/${input2}`, '-G', group, '-e',
        '--exactly-once', '--to', `kafka://${B}/${output2}`, '--key', 'k', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000']);
      // the job is given some of the partitions, the holder keeps the others
      for (let i = 0; held.length === 3 || held.length === 0; i++) {
        if (i > 600) throw new Error(`no rebalance between the holder and the job; ${job.stderr}`);
        await sleep(50);
      }
      const mine = [0, 1, 2].filter((p) => !held.includes(p));
      // the job reads its partitions to their end and commits them…
      const want = mine.reduce((sum, p) => sum + ends.get(p)!, 0);
      const got = await untilCommitted(B, group, input2, (n) => n >= want, { everyMs: 50, tries: 600, stop: () => job.child.exitCode !== null });
      expect(got).toBe(want);
      await sleep(1500);
      // …and goes on waiting for the others rather than ending without them
      expect(job.child.exitCode).toBeNull();
      await holder.disconnect();
      const ended = await job.exited;
      expect([ended.code, job.stderr]).toEqual([0, '']);
    } finally {
      await holder.disconnect().catch(() => undefined);
    }
    const committed = lines((await kcatRead(B, output2, ['-X', 'isolation.level=read_committed'])).stdout);
    expect(sorted(committed)).toEqual(sorted(lines(ref.stdout)));
  }, 90_000);
});
