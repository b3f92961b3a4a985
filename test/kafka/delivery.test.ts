// Delivery guarantees with real processes on a real broker: consumer groups share partitions
// (each record once between them), committed offsets survive a restart, SIGKILL loses nothing
// (duplicates only from the last uncommitted batch), --exactly-once Kafka→Kafka stays exact under
// the same kill, SIGINT commits and exits 130, and a broker that goes away ends the run with 69.
import { beforeAll, expect, it } from 'vitest';
import { kafkaPrerequisites, startBroker } from './broker.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { countBy, createTopics, groupStable, haveKcat, kcatProduce, kcatRead, lines, Running, sluice, untilCommitted } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Small fetches (and record batches of at most 50 messages from kcat) make many small batches. */
const SMALL_BATCHES = ['-X', 'max.partition.fetch.bytes=4096'];
const MAX_BATCH = 4096 / 20; // a batch holds at most 4096 bytes of messages, each value >= 20 bytes
/** A killed member is given up after 6 s (the broker's minimum) rather than 30 s. */
const QUICK_SESSION = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'];

const record = (n: number) => `{"n":${n},"pad":"${'x'.repeat(12)}"}`;

async function produceN(brokers: string, topic: string, partitions: number, n: number): Promise<void> {
  const per = Math.ceil(n / partitions);
  await Promise.all(Array.from({ length: partitions }, (_, p) => {
    const mine = Array.from({ length: per }, (_, i) => p * per + i).filter((i) => i < n).map(record);
    return kcatProduce(brokers, topic, mine, ['-p', String(p), '-X', 'batch.num.messages=50']);
  }));
}

const ns = (ls: string[]) => ls.map((l) => (JSON.parse(l) as { n: number }).n);

describeKafka('delivery', () => {
  const B = kafkaBrokers() as string;
  const shared = uniqueTopic('dl-shared');
  const sharedLive = uniqueTopic('dl-shared-live');
  const killed = uniqueTopic('dl-kill');
  const eosIn = uniqueTopic('dl-eos-in');
  const eosOut = uniqueTopic('dl-eos-out');
  const interrupted = uniqueTopic('dl-int');
  const paged = uniqueTopic('dl-head');
  const N_SHARED = 20_000;
  const N_KILL = 20_000;
  const N_EOS = 10_000;

  beforeAll(async () => {
    if (!haveKcat) return;
    await createTopics(B, { [shared]: 4, [sharedLive]: 4, [killed]: 2, [eosIn]: 2, [eosOut]: 2, [interrupted]: 2, [paged]: 1 });
    await Promise.all([
      produceN(B, shared, 4, N_SHARED),
      produceN(B, killed, 2, N_KILL),
      produceN(B, eosIn, 2, N_EOS),
      produceN(B, interrupted, 2, 200),
      produceN(B, paged, 1, 30),
    ]);
  }, 60_000);

  it.skipIf(!haveKcat)('two processes in one group: every record exactly once between them; a re-run reads nothing new', async () => {
    const group = uniqueTopic('g-shared');
    const args = ['select n', `kafka://${B}/${shared}`, '-G', group, '-e', ...SMALL_BATCHES, ...QUICK_SESSION];
    const a = new Running(args);
    await a.waitForLines(100);
    const b = new Running(args); // joins while a is reading: the group rebalances mid-stream
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const fromA = ns(a.lines());
    const fromB = ns(b.lines());
    const inA = new Set(fromA);
    expect(fromB.filter((n) => inA.has(n))).toEqual([]);
    expect(fromA.length + fromB.length).toBe(N_SHARED);
    expect(new Set([...fromA, ...fromB]).size).toBe(N_SHARED);

    const again = await sluice(['select n', `kafka://${B}/${shared}`, '-G', group, '-e']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  }, 90_000);

  it.skipIf(!haveKcat)('head N with a group commits the records head took, not the rest of the fetched batch', async () => {
    // the 30 messages arrive in one fetch; each run takes the next ones where the last run stopped
    const group = uniqueTopic('g-head');
    const run = async (program: string) => {
      const r = await sluice([program, `kafka://${B}/${paged}`, '-G', group, '-e']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      return ns(lines(r.stdout));
    };
    expect(await run('head 4')).toEqual([0, 1, 2, 3]);
    expect(await run('where n % 2 == 0 | head 3')).toEqual([4, 6, 8]);
    // n = 9 was never looked at by head: it is read again
    expect(await run('head 2')).toEqual([9, 10]);
    expect(await run('select n')).toEqual(Array.from({ length: 19 }, (_, i) => 11 + i));
  }, 60_000);

  it.skipIf(!haveKcat)('two live members share the partitions; SIGINT commits both; a re-run reads nothing new', async () => {
    const group = uniqueTopic('g-live');
    const args = ['select n', `kafka://${B}/${sharedLive}`, '-G', group];
    const a = new Running(args);
    const b = new Running(args);
    await groupStable(B, group, 2, () => `${a.stderr} ${b.stderr}`);
    await produceN(B, sharedLive, 4, 4000);
    const until = performance.now() + 30_000;
    while (a.lines().length + b.lines().length < 4000 && performance.now() < until) await sleep(50);
    a.kill('SIGINT');
    b.kill('SIGINT');
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code, a.stderr, b.stderr]).toEqual([130, 130, '', '']);
    const fromA = ns(a.lines());
    const fromB = ns(b.lines());
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    const inA = new Set(fromA);
    expect(fromB.filter((n) => inA.has(n))).toEqual([]);
    expect(new Set([...fromA, ...fromB]).size).toBe(4000);
    expect(fromA.length + fromB.length).toBe(4000);
    const again = await sluice(['select n', `kafka://${B}/${sharedLive}`, '-G', group, '-e']);
    expect([again.code, again.stdout]).toEqual([0, '']);
  }, 90_000);

  it.skipIf(!haveKcat)('SIGKILL mid-stream, restart with the same group: nothing lost, duplicates only from the last batch', async () => {
    const group = uniqueTopic('g-kill');
    const args = ['select n', `kafka://${B}/${killed}`, '-G', group, '-e', ...SMALL_BATCHES, ...QUICK_SESSION];
    const first = new Running(args);
    await first.waitForLines(3000);
    first.kill('SIGKILL');
    await first.exited;
    const before = ns(first.lines());
    expect(before.length).toBeLessThan(N_KILL); // killed mid-stream

    const second = new Running(args);
    const end = await second.exited;
    expect(second.stderr).toBe('');
    expect(end.code).toBe(0);
    const after = ns(second.lines());
    const all = countBy([...before, ...after]);
    expect(all.size).toBe(N_KILL); // no loss
    const dups = [...all.values()].filter((c) => c > 1).length;
    expect(dups).toBeLessThanOrEqual(MAX_BATCH);
    for (const c of all.values()) expect(c).toBeLessThanOrEqual(2);
  }, 90_000);

  it.skipIf(!haveKcat)('--exactly-once Kafka to Kafka, SIGKILL and restart: read_committed sees each result once', async () => {
    const group = uniqueTopic('g-eos');
    const args = ['set twice = n * 2', `kafka://${B}/${eosIn}`, '-G', group, '-e', '--exactly-once', '--to', `kafka://${B}/${eosOut}`,
      '--key', 'n', ...SMALL_BATCHES, ...QUICK_SESSION];
    const first = new Running(args);
    // kill as soon as a few transactions are committed (the group's offsets move with them)
    await untilCommitted(B, group, eosIn, (n) => n >= 300, { tries: 2000, stop: () => first.child.exitCode !== null });
    first.kill('SIGKILL');
    const killedAt = await first.exited;
    expect([killedAt.signal, first.stderr]).toEqual(['SIGKILL', '']);

    const second = new Running(args);
    const end = await second.exited;
    expect(second.stderr).toBe('');
    expect(end.code).toBe(0);

    const committed = lines((await kcatRead(B, eosOut, ['-X', 'isolation.level=read_committed'])).stdout)
      .map((l) => JSON.parse(l) as { n: number; twice: number });
    const counts = countBy(committed.map((r) => r.n));
    expect(counts.size).toBe(N_EOS);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (const r of committed) expect(r.twice).toBe(r.n * 2);
    // sluice reads committed data by default, and -e gets past the transaction markers
    const again = await sluice(['select n', `kafka://${B}/${eosOut}`, '-e']);
    expect(again.code).toBe(0);
    expect(countBy(ns(lines(again.stdout))).size).toBe(N_EOS);
    expect(lines(again.stdout)).toHaveLength(N_EOS);
    // the killed run had written past its last commit: those messages exist but were aborted
    const raw = lines((await kcatRead(B, eosOut, ['-X', 'isolation.level=read_uncommitted'])).stdout).length;
    expect(raw).toBeGreaterThanOrEqual(N_EOS);
  }, 120_000);

  it.skipIf(!haveKcat)('SIGINT: what was read is written and committed, exit 130; the group resumes after it', async () => {
    const group = uniqueTopic('g-int');
    const live = new Running(['select n', `kafka://${B}/${interrupted}`, '-G', group]);
    await live.waitForLines(200);
    live.kill('SIGINT');
    const end = await live.exited;
    expect(end.code).toBe(130);
    expect(live.stderr).toBe('');
    expect(ns(live.lines()).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));

    await kcatProduce(B, interrupted, [record(1000), record(1001)], ['-p', '0']);
    const next = await sluice(['select n', `kafka://${B}/${interrupted}`, '-G', group, '-e']);
    expect(next.code).toBe(0);
    expect(ns(lines(next.stdout))).toEqual([1000, 1001]);
  }, 60_000);

  it.skipIf(!haveKcat || kafkaPrerequisites().missing.length > 0)('a broker that stops mid-run: exit 69 naming it, no hang, no stack trace', async () => {
    const broker = await startBroker();
    try {
      const topic = uniqueTopic('dl-dying');
      await createTopics(broker.brokers, { [topic]: 1 });
      await kcatProduce(broker.brokers, topic, [record(1), record(2)]);
      // in a group, and without one (reading by position)
      const readers = [['-G', uniqueTopic('g-dying')], []].map((g) => new Running(['select n', `kafka://${broker.brokers}/${topic}`, ...g, '--timeout', '3s']));
      for (const reader of readers) await reader.waitForLines(2);
      const t0 = performance.now();
      await broker.stop();
      for (const reader of readers) {
        const end = await reader.exited;
        expect(performance.now() - t0).toBeLessThan(20_000);
        expect(end.code).toBe(69);
        expect(reader.stderr).toMatch(new RegExp(`^sluice: kafka: .*${broker.brokers.replace(/\./g, '\\.')}`));
        expect(reader.stderr).not.toMatch(/\n\s+at /);
        expect(reader.lines()).toEqual([record(1), record(2)].map((r) => `{"n":${(JSON.parse(r) as { n: number }).n}}`));
      }
    } finally {
      await broker.stop();
    }
  }, 120_000);
});
