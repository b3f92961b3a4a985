// Watermarks per input partition, on a real broker: the same records through topics of 1, 3 and 8
// partitions (keys spread by kcat, event times at most 2 s out of order) and from a file give the
// same window results, with no late record; and a stateful job with a group and --state commits
// while it runs, so `sluice kafka lag` is true, and survives SIGKILL without losing a window.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { crashCycles, prng } from '../state/crash.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, kcatProduce, kcatRead, lines, Running, sluice, untilCommitted } from './support.js';

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
});
