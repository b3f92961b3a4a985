// --state kafka://…: per-partition state that moves with partitions, on a real broker. A keyed
// topic read by per-partition tasks gives what a file gives; two members where one is SIGKILLed:
// the other restores its partitions' state from the state topic and nothing is lost or wrong;
// --exactly-once with SIGKILL and restart: each window result once for a read_committed reader;
// a member killed before its first checkpoint: its successor starts afresh; the state topic is
// created compacted; wrong usage is exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withAdmin } from '../../src/kafka/client.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { countBy, createTopics, groupStable, haveKcat, kcat, kcatProduce, kcatRead, lines, Running, sluice, untilCommitted } from './support.js';
import { prng } from '../state/crash.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A killed member is given up after 6 s (the broker's minimum) rather than 30 s. */
const QUICK_SESSION = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'];
/** Small fetches make many small batches, so that checkpoints fall between them. */
const SMALL_BATCHES = ['-X', 'max.partition.fetch.bytes=4096'];
const WINDOWS = 'window tumbling 10s on ts allow 3s | count(), sum(v), min(v), max(v) by k';
const T0 = 1_714_564_800_000;

/**
 * Records n = from … from+count-1, keyed by their aggregate key (kcat -K: a key always goes to the
 * same partition), event times 10 ms apart and up to 2 s out of order (less than `allow 3s`).
 */
function events(from: number, count: number, keys = 24): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let i = from; i < from + count; i++) {
    const rnd = prng(i * 7919 + 17);
    const k = `k${Math.floor(rnd() * keys)}`;
    out.push({ key: k, value: `{"ts":${T0 + i * 10 - Math.floor(rnd() * 2000)},"k":"${k}","v":${i}}` });
  }
  return out;
}

/** Idempotent, so that a retried send cannot land after later ones (a fresh topic's first send may be retried). */
const produceKeyed = (brokers: string, topic: string, evs: { key: string; value: string }[], extra: string[] = []) =>
  kcatProduce(brokers, topic, evs.map((e) => `${e.key}\t${e.value}`), ['-K', '\t', '-X', 'linger.ms=5', '-X', 'enable.idempotence=true', ...extra]);

/** The program over the same records from a file: what every run here must give, as a multiset. */
async function fromFile(evs: { value: string }[], program = WINDOWS): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kstate-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, evs.map((e) => `${e.value}\n`).join(''));
  const r = await sluice([program, file]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return lines(r.stdout);
}

const sorted = (xs: string[]) => [...xs].sort();
const keyOf = (line: string) => (JSON.parse(line) as { k: string }).k;

describeKafka('--state kafka://… (state that moves with partitions)', () => {
  const B = kafkaBrokers() as string;
  const admin = <T>(fn: Parameters<typeof withAdmin<T>>[1]) =>
    withAdmin({ brokers: [B], settings: {}, timeoutMs: 10_000, clientId: 'sluice-tests' }, fn);


  /** Messages written to `topic` so far (the sum of its partitions' high watermarks; 0 before it exists). */
  const written = (topic: string) => admin(async (ad) => (await ad.listTopics()).includes(topic)
    ? (await ad.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0)
    : 0);

  /** Keyed events produced to `topic`, `per` at a time every `pauseMs`, until stop(), which resolves to how many. */
  const keepProducing = (topic: string, per: number, pauseMs: number) => {
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await produceKeyed(B, topic, events(produced, per));
        produced += per;
        await sleep(pauseMs);
      }
    })();
    return {
      async stop(): Promise<number> {
        producing = false;
        await producer;
        return produced;
      },
    };
  };

  /**
   * A record far in the future on every partition makes every window of the `produced` events
   * fire; resolves to the results a file of those events gives.
   */
  const closeWindows = async (topic: string, partitions: number, produced: number): Promise<string[]> => {
    const far = T0 + produced * 10 + 3_600_000;
    await Promise.all(Array.from({ length: partitions }, (_, p) => kcatProduce(B, topic, [`zz\t{"ts":${far},"k":"zz","v":-1}`], ['-K', '\t', '-p', String(p)])));
    return (await fromFile(events(0, produced))).filter((l) => keyOf(l) !== 'zz');
  };

  /** The members' output between them: every expected result (nothing lost), and nothing else (no partial window). */
  const expectResults = (written: string[], expected: string[]) => {
    const all = countBy(written);
    const want = new Set(expected);
    expect(expected.filter((l) => !all.has(l))).toEqual([]);
    expect([...all.keys()].filter((l) => !want.has(l))).toEqual([]);
  };

  /** Wait (30 s at most) until the members have written `expected.length` distinct lines between them. */
  const untilWritten = async (members: Running[], expected: string[]) => {
    for (let i = 0; new Set(members.flatMap((m) => m.lines())).size < expected.length && i < 300; i++) await sleep(100);
  };

  /**
   * The state topic's records: key, epoch, and the size of the value. `count`: read that many
   * (a topic still being written to never shows kcat its end).
   */
  const stateRecords = async (topic: string, count?: number) => {
    const format = ['-f', '%k %h %S\n', '-X', 'isolation.level=read_committed'];
    const r = count === undefined
      ? await kcatRead(B, topic, format)
      : await kcat(['-b', B, '-C', '-t', topic, '-o', 'beginning', '-c', String(count), '-q', ...format]);
    return lines(r.stdout).map((l) => {
      const [key, header, size] = l.split(' ');
      return { key: key!, epoch: Number(header!.replace('sluice-epoch=', '')), size: Number(size) };
    });
  };

  it.skipIf(!haveKcat)('a 3-partition topic keyed by the aggregate key, -e: the window results of the same records from a file; the state topic is compacted and holds one task per partition', async () => {
    const topic = uniqueTopic('st-keyed');
    const state = uniqueTopic('st-keyed-state');
    const group = uniqueTopic('g-keyed');
    await createTopics(B, { [topic]: 3 });
    const evs = events(0, 6000);
    await produceKeyed(B, topic, evs);
    const expected = await fromFile(evs);
    expect(expected.length).toBeGreaterThan(100);

    const args = [WINDOWS, `kafka://${B}/${topic}`, '-G', group, '-e', '--state', `kafka://${B}/${state}`, '--checkpoint-every', '50ms', ...SMALL_BATCHES];
    const r = await sluice([...args, '--stats']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/checkpoints +\d+/);
    expect(r.stderr).not.toMatch(/late records/);
    expect(sorted(lines(r.stdout))).toEqual(sorted(expected));

    // created compacted, as sluice's admin (and so the broker) sees it
    const configs = await sluice(['kafka', 'describe', state, '--configs', '-b', B, '-O', 'ndjson']);
    expect(configs.code).toBe(0);
    expect(lines(configs.stdout).map((l) => JSON.parse(l) as { config: string; value: string }))
      .toContainEqual(expect.objectContaining({ config: 'cleanup.policy', value: 'compact' }));
    const parts = await sluice(['kafka', 'describe', state, '-b', B, '-O', 'ndjson']);
    expect(lines(parts.stdout)).toHaveLength(1);
    // one key per input partition, written by the first owner (epoch 1)
    const recs = await stateRecords(state);
    expect([...new Set(recs.map((x) => x.key))].sort()).toEqual([0, 1, 2].map((p) => `${group}/${topic}/${p}`));
    expect(recs.every((x) => x.epoch === 1 && x.size > 0)).toBe(true);
    // offsets were committed with the checkpoints: no lag
    const lag = await sluice(['kafka', 'lag', group, '-b', B, '-O', 'ndjson']);
    expect(lines(lag.stdout).map((l) => (JSON.parse(l) as { lag: number }).lag)).toEqual([0, 0, 0]);

    // everything was read and flushed: a re-run reads nothing and writes nothing
    const again = await sluice(args);
    expect([again.code, again.stderr, again.stdout]).toEqual([0, '', '']);
    // the state topic is read by position: no throwaway group (sluice-state-<uuid>) is left behind
    const groups = await sluice(['kafka', 'groups', '-b', B, '-O', 'ndjson']);
    expect(lines(groups.stdout).map((l) => (JSON.parse(l) as { group: string }).group).filter((g) => g.startsWith('sluice-'))).toEqual([]);
  }, 60_000);

  it.skipIf(!haveKcat)('two members on a live topic, one SIGKILLed after checkpoints: the other restores its partitions\' state and goes on; nothing lost or wrong', async () => {
    const topic = uniqueTopic('st-two');
    const state = uniqueTopic('st-two-state');
    const group = uniqueTopic('g-two');
    await createTopics(B, { [topic]: 4 });
    const args = [WINDOWS, `kafka://${B}/${topic}`, '-G', group, '--state', `kafka://${B}/${state}`, '--checkpoint-every', '200ms', ...QUICK_SESSION];
    const a = new Running(args);
    const b = new Running(args);
    await groupStable(B, group, 2, () => a.stderr + b.stderr);

    const producer = keepProducing(topic, 300, 100);
    // both members have checkpointed their partitions a few times
    for (let i = 0; ; i++) {
      const n = await written(state);
      const recs = n >= 16 ? await stateRecords(state, n) : [];
      if (new Set(recs.map((x) => x.key)).size === 4 && a.lines().length > 0) break;
      if (i > 200) throw new Error(`no checkpoints of all 4 partitions: ${JSON.stringify(recs)}; ${a.stderr} ${b.stderr}`);
      await sleep(100);
    }
    a.kill('SIGKILL');
    const killed = await a.exited;
    expect(killed.signal).toBe('SIGKILL');
    // b takes a's partitions over once a's session times out (6 s), while records keep coming
    await sleep(8000);
    const expected = await closeWindows(topic, 4, await producer.stop());
    await untilWritten([a, b], expected);
    b.kill('SIGINT');
    const end = await b.exited;
    expect([end.code, b.stderr, a.stderr]).toEqual([130, '', '']);

    const fromA = a.lines();
    const fromB = b.lines();
    expect(fromA.length).toBeGreaterThan(0);
    expectResults([...fromA, ...fromB], expected);
    expect(countBy(fromA).size).toBe(fromA.length);
    expect(countBy(fromB).size).toBe(fromB.length);
    // duplicates: b wrote again what a wrote after a's last checkpoint of a partition, so for each
    // key, once a result of a's is written by b too, every later result of a's is
    const inB = new Set(fromB);
    const byKey = new Map<string, string[]>();
    for (const l of fromA) byKey.set(keyOf(l), [...(byKey.get(keyOf(l)) ?? []), l]);
    for (const [, ls] of byKey) {
      const first = ls.findIndex((l) => inB.has(l));
      if (first >= 0) expect(ls.slice(first).filter((l) => !inB.has(l))).toEqual([]);
    }
    // b restored a's partitions: their keys go on in b's output, and b wrote with a higher epoch
    const recs = await stateRecords(state);
    expect(Math.max(...recs.map((x) => x.epoch))).toBe(2);
    const keysOfA = new Set(fromA.map(keyOf));
    expect(fromB.some((l) => keysOfA.has(keyOf(l)))).toBe(true);
  }, 90_000);

  it.skipIf(!haveKcat)('a member stopped past its session (a zombie) is fenced: once another member took its partition, its late checkpoints are not written, and nothing is lost or wrong', async () => {
    const topic = uniqueTopic('st-zombie');
    const state = uniqueTopic('st-zombie-state');
    const group = uniqueTopic('g-zombie');
    await createTopics(B, { [topic]: 2 });
    const args = [WINDOWS, `kafka://${B}/${topic}`, '-G', group, '--state', `kafka://${B}/${state}`, '--checkpoint-every', '100ms', ...QUICK_SESSION];
    const a = new Running(args);
    const b = new Running(args);
    await groupStable(B, group, 2, () => a.stderr + b.stderr);
    const producer = keepProducing(topic, 200, 50);
    for (let i = 0; ; i++) {
      const n = await written(state);
      if (n >= 8 && new Set((await stateRecords(state, n)).map((x) => x.key)).size === 2) break;
      if (i > 200) throw new Error(`no checkpoints of both partitions; ${a.stderr} ${b.stderr}`);
      await sleep(100);
    }
    // a stops in the middle of its work; b takes its partition over after a's session (6 s)
    a.child.kill('SIGSTOP');
    for (let i = 0; ; i++) {
      const n = await written(state);
      if ((await stateRecords(state, n)).some((x) => x.epoch === 2)) break;
      if (i > 300) throw new Error(`b never took a's partition over; ${b.stderr}`);
      await sleep(100);
    }
    // a goes on as if nothing happened: its timer checkpoints at once, before it learns it was replaced
    a.child.kill('SIGCONT');
    await sleep(4000);
    const expected = await closeWindows(topic, 2, await producer.stop());
    await untilWritten([a, b], expected);
    a.kill('SIGINT');
    b.kill('SIGINT');
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code, a.stderr, b.stderr]).toEqual([130, 130, '', '']);
    expectResults([...a.lines(), ...b.lines()], expected);
    // in the state topic, each partition's epochs never go back: no write of the replaced owner
    // landed after its successor's
    const recs = await stateRecords(state);
    for (const key of new Set(recs.map((x) => x.key))) {
      const epochs = recs.filter((x) => x.key === key).map((x) => x.epoch);
      expect(epochs).toEqual([...epochs].sort((x, y) => x - y));
    }
  }, 60_000);

  it.skipIf(!haveKcat)('a member joins mid-stream before any checkpoint: the partitions the first keeps go on from its tasks\' positions, not from the committed offsets', async () => {
    const topic = uniqueTopic('st-join');
    const state = uniqueTopic('st-join-state');
    const group = uniqueTopic('g-join');
    await createTopics(B, { [topic]: 4 });
    const args = [WINDOWS, `kafka://${B}/${topic}`, '-G', group, '--state', `kafka://${B}/${state}`, '--checkpoint-every', '1h', ...QUICK_SESSION];
    const a = new Running(args);
    await groupStable(B, group, 1, () => a.stderr);
    const producer = keepProducing(topic, 300, 100);
    await a.waitForLines(30);
    const c = new Running(args); // the group rebalances: a keeps two partitions, c starts the other two afresh
    await groupStable(B, group, 2, () => a.stderr + c.stderr);
    await sleep(1500);
    const expected = await closeWindows(topic, 4, await producer.stop());
    await untilWritten([a, c], expected);
    a.kill('SIGINT');
    c.kill('SIGINT');
    const [ea, ec] = await Promise.all([a.exited, c.exited]);
    expect([ea.code, ec.code, a.stderr, c.stderr]).toEqual([130, 130, '', '']);
    expectResults([...a.lines(), ...c.lines()], expected);
    expect(countBy(a.lines()).size).toBe(a.lines().length);
    expect(c.lines().length).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!haveKcat)('--exactly-once with --state kafka://…, SIGKILL and restart: a read_committed reader sees each window result once', async () => {
    const input = uniqueTopic('st-eos-in');
    const output = uniqueTopic('st-eos-out');
    const state = uniqueTopic('st-eos-state');
    const group = uniqueTopic('g-eos');
    await createTopics(B, { [input]: 2, [output]: 2 });
    const evs = events(0, 20_000, 16);
    await produceKeyed(B, input, evs);
    const expected = await fromFile(evs);
    const args = [WINDOWS, `kafka://${B}/${input}`, '-G', group, '-e', '--exactly-once', '--to', `kafka://${B}/${output}`,
      '--state', `kafka://${B}/${state}`, '--checkpoint-every', '100ms', ...SMALL_BATCHES, ...QUICK_SESSION];
    const first = new Running(args);
    // kill once a few checkpoints committed (the group's offsets move with their transactions)
    await untilCommitted(B, group, input, (n) => n >= 4000, { tries: 2000, stop: () => first.child.exitCode !== null });
    first.kill('SIGKILL');
    const killedAt = await first.exited;
    expect([killedAt.signal, first.stderr]).toEqual(['SIGKILL', '']);

    const second = new Running(args);
    const end = await second.exited;
    expect([end.code, second.stderr]).toEqual([0, '']);
    const committed = lines((await kcatRead(B, output, ['-X', 'isolation.level=read_committed'])).stdout);
    expect([...countBy(committed).values()].every((n) => n === 1)).toBe(true);
    expect(sorted(committed)).toEqual(sorted(expected));
    // the state records were part of the transactions: none of the killed run's open one is seen
    const recs = await stateRecords(state);
    expect(new Set(recs.map((x) => x.key)).size).toBe(2);
  }, 90_000);

  it.skipIf(!haveKcat)('a member killed before its first checkpoint: its successor starts where the group stands (here the beginning) with fresh state', async () => {
    const topic = uniqueTopic('st-early');
    const state = uniqueTopic('st-early-state');
    const group = uniqueTopic('g-early');
    await createTopics(B, { [topic]: 2 });
    const evs = events(0, 5000, 12);
    await produceKeyed(B, topic, evs);
    const expected = await fromFile(evs);
    const base = [WINDOWS, `kafka://${B}/${topic}`, '-G', group, '--state', `kafka://${B}/${state}`, ...QUICK_SESSION];
    const first = new Running([...base, '--checkpoint-every', '1h']);
    await first.waitForLines(20);
    first.kill('SIGKILL');
    await first.exited;
    // it wrote no state and committed nothing
    expect(await stateRecords(state)).toEqual([]);
    const lag = await sluice(['kafka', 'lag', group, '-b', B, '-O', 'ndjson']);
    expect(lines(lag.stdout).map((l) => (JSON.parse(l) as { committed: number | null }).committed)).toEqual([null, null]);

    const second = await sluice([...base, '-e']);
    expect([second.code, second.stderr]).toEqual([0, '']);
    expect(sorted(lines(second.stdout))).toEqual(sorted(expected));
    // a window result the first run wrote is written again (output is at least once), never a partial one
    expect(first.lines().filter((l) => !expected.includes(l))).toEqual([]);
  }, 60_000);

  it.skipIf(!haveKcat)('wrong usage: no --group, more than one input, a state topic that is not compacted', async () => {
    const noGroup = await sluice([WINDOWS, `kafka://${B}/whatever`, '--state', `kafka://${B}/state`]);
    expect(noGroup.code).toBe(2);
    expect(noGroup.stderr).toMatch(/^sluice: --state kafka:\/\/.*\/state keeps the state of each partition of a consumer group: add --group ID/);
    const noBrokers = await sluice([WINDOWS, `kafka://${B}/whatever`, '-G', 'g', '--state', 'kafka:state']);
    expect(noBrokers.code).toBe(2);
    expect(noBrokers.stderr).toMatch(/'kafka:state' needs brokers/);
    const two = await sluice([WINDOWS, `kafka://${B}/a`, `kafka://${B}/b`, '-G', 'g', '--state', `kafka://${B}/state`]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/one Kafka input/);

    const topic = uniqueTopic('st-usage');
    const plain = uniqueTopic('st-usage-state');
    await createTopics(B, { [topic]: 1, [plain]: 1 });
    const notCompacted = await sluice([WINDOWS, `kafka://${B}/${topic}`, '-G', uniqueTopic('g-usage'), '-e', '--brokers', B, '--state', `kafka:${plain}`]);
    expect(notCompacted.code).toBe(2);
    expect(notCompacted.stderr).toMatch(new RegExp(`topic '${plain}' has cleanup.policy=delete`));
  }, 60_000);
});
