// The interval join with a Kafka topic on the other side (`join kafka://…/T on K within D on TS`),
// on a real broker. The same rows from a topic of 3 partitions (keyed, so each partition is in
// event-time order) and from a file must give the same join, in all four modes, whether the
// program's input is a file or a topic of its own; a live topic on the other side holds the input
// back until its watermark passes; and a run stopped half way with --state and restarted writes,
// with the stopped run's output, exactly what a run never stopped writes (the topic's offsets are in
// the stage's checkpoint).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, haveKcat, kcatProduce, kcatRead, lines, Running, sluice } from './support.js';

const T0 = 1_714_564_800_000;
const N_ORDERS = 3000;
const N_PAYMENTS = 2500;

/** Orders every 100 ms; ids repeat every 400, so a payment may match several orders or none. */
const orders = Array.from({ length: N_ORDERS }, (_, i) => ({ order_id: i % 400, ts: T0 + i * 100, n: i }));
/** More orders, for a run to be stopped half way */
const manyOrders = Array.from({ length: 12_000 }, (_, i) => ({ order_id: i % 400, ts: T0 + i * 25, n: i }));
/** Payments in event-time order, 120 ms apart; ids 0-449, so some never match. */
const payments = Array.from({ length: N_PAYMENTS }, (_, j) => ({ order_id: (j * 7) % 450, at: T0 + j * 120 + 37, pay: j }));

const ndjson = (xs: object[]) => xs.map((x) => JSON.stringify(x) + '\n').join('');

/** Throws, naming the partition and offset, when a row of `topic` is older than one before it in its partition. */
async function inEventTimeOrder(brokers: string, topic: string, field: string): Promise<void> {
  const latest = new Map<string, number>();
  for (const line of lines((await kcatRead(brokers, topic, ['-f', '%p %o %s\n'])).stdout)) {
    const [p, o, ...value] = line.split(' ');
    const t = (JSON.parse(value.join(' ')) as Record<string, number>)[field]!;
    if (t < (latest.get(p!) ?? -Infinity)) throw new Error(`${topic}/${p}@${o}: ${field} ${t} comes after ${latest.get(p!)} in its partition (kcat produced it out of order)`);
    latest.set(p!, t);
  }
}
const sorted = (xs: string[]) => [...xs].sort();

describeKafka('join kafka://… within (interval join with a topic)', () => {
  const B = kafkaBrokers()!;
  const right = uniqueTopic('ij-payments');
  const left = uniqueTopic('ij-orders');
  const manyLeft = uniqueTopic('ij-many-orders');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ijoin-'));
  const ordersFile = join(dir, 'orders.ndjson');
  const paymentsFile = join(dir, 'payments.ndjson');
  const manyFile = join(dir, 'many-orders.ndjson');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    writeFileSync(ordersFile, ndjson(orders));
    writeFileSync(paymentsFile, ndjson(payments));
    writeFileSync(manyFile, ndjson(manyOrders));
    await createTopics(B, { [right]: 3, [left]: 2, [manyLeft]: 2 });
    if (!haveKcat) return;
    // keyed: each id goes to one partition, and each partition is in event-time order. Idempotent:
    // without it librdkafka retries a failed produce request (a loaded broker, a partition whose
    // leadership is still being applied) after later ones went through, so a partition's first
    // rows may land after later ones and be late on the topic's own watermark (a CI run lost
    // payment 0 so, as a late row, in some of the runs over the topic and not others)
    const keyed = ['-K', '\t', '-X', 'enable.idempotence=true'];
    await kcatProduce(B, right, payments.map((p) => `${p.order_id}\t${JSON.stringify(p)}`), keyed);
    await kcatProduce(B, left, orders.map((o) => `${o.order_id}\t${JSON.stringify(o)}`), keyed);
    await kcatProduce(B, manyLeft, manyOrders.map((o) => `${o.order_id}\t${JSON.stringify(o)}`), keyed);
    // the tests' premise, checked by a client that is not sluice: else a failure below would look like a join's
    await inEventTimeOrder(B, right, 'at');
    await inEventTimeOrder(B, left, 'ts');
    await inEventTimeOrder(B, manyLeft, 'ts');
  }, 60_000);

  const program = (side: string, mode: string, as = ' as p') => `join ${JSON.stringify(side)} on order_id within 2s on ts = at${as} ${mode}`;
  const fromFile = async (mode: string, as?: string, input = ordersFile) => {
    const r = await sluice([program(paymentsFile, mode, as), input]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    return lines(r.stdout);
  };

  for (const mode of ['inner', 'left', 'right', 'outer']) {
    it.skipIf(!haveKcat)(`${mode}: a topic of 3 partitions read to its end (-e) gives the file's join`, async () => {
      const expected = await fromFile(mode);
      expect(expected.length).toBeGreaterThan(200);
      const r = await sluice([program(`kafka://${B}/${right}`, mode), ordersFile, '-e']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(sorted(lines(r.stdout))).toEqual(sorted(expected));
    }, 60_000);
  }

  it.skipIf(!haveKcat)('both sides topics (2 and 3 partitions), outer, fields merged: the join of the two files', async () => {
    const expected = await fromFile('outer', '');
    const r = await sluice([program(`kafka://${B}/${right}`, 'outer', ''), `kafka://${B}/${left}`, '-e']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // an unmatched row's metadata differs (topic, partition), its fields not
    expect(sorted(lines(r.stdout))).toEqual(sorted(expected));
  }, 60_000);

  it.skipIf(!haveKcat)('a live topic on the other side holds the input back until its watermark passes the record\'s time + DURATION', async () => {
    const live = uniqueTopic('ij-live');
    await createTopics(B, { [live]: 1 });
    const input = join(dir, 'one.ndjson');
    writeFileSync(input, ndjson([{ order_id: 1, ts: T0 }]));
    const run = new Running([program(`kafka://${B}/${live}`, 'left'), input]);
    try {
      await kcatProduce(B, live, [JSON.stringify({ order_id: 1, at: T0 + 1000, pay: 'a' })]);
      // the topic's watermark (T0 + 1 s) has not passed T0 + 2 s: a row to come may still match
      await new Promise((r) => setTimeout(r, 1500));
      expect(run.lines()).toEqual([]);
      await kcatProduce(B, live, [JSON.stringify({ order_id: 1, at: T0 + 2000, pay: 'b' }), JSON.stringify({ order_id: 2, at: T0 + 2001, pay: 'c' })]);
      await run.waitForLines(2);
      expect(run.lines().map((l) => (JSON.parse(l) as { p: { pay: string } }).p.pay)).toEqual(['a', 'b']);
    } finally {
      run.kill('SIGINT');
      await run.exited;
    }
  }, 60_000);

  it.skipIf(!haveKcat)('--state: stopped half way and restarted, both sides resume; with the first run\'s output, the output of a run never stopped', async () => {
    const expected = await fromFile('outer', undefined, manyFile);
    const state = join(dir, 'state');
    const args = [program(`kafka://${B}/${right}`, 'outer'), `kafka://${B}/${manyLeft}`, '-e', '--state', state,
      '--checkpoint-every', '50ms', '-X', 'max.partition.fetch.bytes=1024'];
    const first = new Running(args);
    await first.waitForLines(Math.floor(expected.length / 4));
    first.kill('SIGINT');
    const stopped = await first.exited;
    expect([stopped.code, first.stderr]).toEqual([130, '']);
    const firstLines = first.lines();
    expect(firstLines.length).toBeLessThan(expected.length);
    const second = await sluice(args);
    expect([second.code, second.stderr]).toEqual([0, '']);
    // a clean stop checkpoints what it wrote: nothing is written twice or lost, on either side
    expect(sorted([...firstLines, ...lines(second.stdout)])).toEqual(sorted(expected));
  }, 90_000);

  it.skipIf(!haveKcat)('a missing topic on the other side is unavailable (exit 69), named, before any output', async () => {
    const missing = uniqueTopic('ij-missing');
    const r = await sluice([program(`kafka://${B}/${missing}`, 'left'), ordersFile, '-e', '--timeout', '5s']);
    expect(r.code).toBe(69);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(missing);
    expect(lines(r.stderr)).toHaveLength(1);
  }, 60_000);

  it.skipIf(!haveKcat)('SIGINT while the input waits for a live topic: exit 130 at once; with --state the waiting record is joined by the next run', async () => {
    const live = uniqueTopic('ij-live-stop');
    await createTopics(B, { [live]: 1 });
    const input = join(dir, 'wait.ndjson');
    writeFileSync(input, ndjson([{ order_id: 1, ts: T0 }]));
    const args = [program(`kafka://${B}/${live}`, 'left'), input, '--state', join(dir, 'wait.state')];
    await kcatProduce(B, live, [JSON.stringify({ order_id: 1, at: T0 + 1000, pay: 'a' })]);
    const run = new Running(args);
    await new Promise((r) => setTimeout(r, 2000));
    run.kill('SIGINT');
    const killer = setTimeout(() => run.kill('SIGKILL'), 10_000);
    const stopped = await run.exited;
    clearTimeout(killer);
    expect([stopped.code, run.stdout, run.stderr]).toEqual([130, '', '']);
    // the topic moves past the record's time + 2 s: the next run (its input at its end) joins it
    await kcatProduce(B, live, [JSON.stringify({ order_id: 1, at: T0 + 1500, pay: 'b' }), JSON.stringify({ order_id: 7, at: T0 + 2500, pay: 'c' })]);
    const again = await sluice(args);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(lines(again.stdout).map((l) => (JSON.parse(l) as { p: { pay: string } }).p.pay)).toEqual(['a', 'b']);
  }, 60_000);
});
