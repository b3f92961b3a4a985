// Order within a partition: what `--to kafka://…` writes lands in each partition in input order,
// as kcat -P does and as Kafka guarantees per partition. 200k numbered records go to a topic of
// one partition and, keyed (--key), to a topic of three; kcat reads them back and each partition's
// numbers must be strictly increasing, every record there once. (Sends are many messages each and
// a few are in flight at once: before the fix, concurrent kafkajs sends could reach the broker
// in another order than they were called.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, haveKcat, kcatRead, sluice } from './support.js';

const N = 200_000;
const KEYS = 17;

describeKafka('kafka sink: order within a partition', () => {
  const B = kafkaBrokers() as string;
  const one = uniqueTopic('po-1p');
  const three = uniqueTopic('po-3p');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-po-'));
  const file = path.join(dir, 'in.ndjson');

  beforeAll(async () => {
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(`{"i":${i},"k":"key-${i % KEYS}"}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await createTopics(B, { [one]: 1, [three]: 3 });
  }, 120_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Where each partition's sequence first goes back (or repeats); the numbers seen, all partitions. */
  const check = (lines: string[]) => {
    const last = new Map<string, number>();
    const outOfOrder: string[] = [];
    const seen = new Set<number>();
    for (const l of lines) {
      const bar = l.indexOf('|');
      const p = l.slice(0, bar);
      const i = (JSON.parse(l.slice(bar + 1)) as { i: number }).i;
      const before = last.get(p);
      if (before !== undefined && i <= before) outOfOrder.push(`partition ${p}: ${i} after ${before}`);
      last.set(p, i);
      seen.add(i);
    }
    return { outOfOrder, seen: seen.size, partitions: last.size };
  };

  const produceAndRead = async (topic: string, extra: string[]) => {
    const r = await sluice(['where true', file, '--to', `kafka://${B}/${topic}`, ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = (await kcatRead(B, topic, ['-f', '%p|%s\n'])).stdout.split('\n').slice(0, -1);
    expect(got).toHaveLength(N);
    return check(got);
  };

  it.skipIf(!haveKcat)(`a topic of 1 partition holds ${N} records in input order`, async () => {
    const { outOfOrder, seen, partitions } = await produceAndRead(one, []);
    expect(outOfOrder.slice(0, 5)).toEqual([]);
    expect(seen).toBe(N);
    expect(partitions).toBe(1);
  }, 120_000);

  it.skipIf(!haveKcat)(`a keyed topic of 3 partitions: each partition in input order`, async () => {
    const { outOfOrder, seen, partitions } = await produceAndRead(three, ['--key', 'k']);
    expect(outOfOrder.slice(0, 5)).toEqual([]);
    expect(seen).toBe(N);
    expect(partitions).toBe(3);
  }, 120_000);
});
