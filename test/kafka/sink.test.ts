// Writing Kafka with bin/sluice (--to kafka://…), read back with kcat: keys, partitioning by key
// (Java-compatible murmur2) and by --partition-by, compression, headers passed through, and the
// seed example (temperature readings → alerts and adjusted readings).
import { beforeAll, expect, it } from 'vitest';
import { partitionFor } from '../../src/kafka/sink.js';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, haveKcat, kcatProduce, kcatRead, lines, records, sluice } from './support.js';

interface KcatJson {
  topic: string;
  partition: number;
  offset: number;
  headers?: string[];
  key: string | null;
  payload: string;
}

const USERS = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal'];
const input = Array.from({ length: 40 }, (_, i) => JSON.stringify({ user: USERS[i % USERS.length], region: `r${i % 5}`, n: i }));

describeKafka('kafka sink', () => {
  const B = kafkaBrokers() as string;
  const keyed = uniqueTopic('sink-keyed');
  const byRegion = uniqueTopic('sink-region');
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
  const codecTopic = Object.fromEntries(codecs.map((c) => [c, uniqueTopic(`sink-${c}`)]));
  const withHeaders = uniqueTopic('sink-hdr-in');
  const copied = uniqueTopic('sink-hdr-out');
  const readings = uniqueTopic('sink-readings');
  const alerts = uniqueTopic('sink-alerts');
  const adjusted = uniqueTopic('sink-adjusted');

  beforeAll(async () => {
    if (!haveKcat) return;
    await createTopics(B, {
      [keyed]: 4, [byRegion]: 3, [withHeaders]: 1, [copied]: 1, [readings]: 2, [alerts]: 1, [adjusted]: 2,
      ...Object.fromEntries(codecs.map((c) => [codecTopic[c], 2])),
    });
  }, 60_000);

  const write = async (args: string[], stdin: string) => {
    const r = await sluice(args, { input: stdin });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  const readJson = async (topic: string, extra: string[] = []) =>
    records((await kcatRead(B, topic, ['-J', ...extra])).stdout) as KcatJson[];

  it.skipIf(!haveKcat)('--key: each record a message keyed by the expression; one key, one partition, the Java client\'s', async () => {
    await write(['set tag = "x"', '--to', `kafka://${B}/${keyed}`, '--key', 'user'], input.join('\n') + '\n');
    const got = await readJson(keyed);
    expect(got).toHaveLength(40);
    for (const m of got) {
      const rec = JSON.parse(m.payload) as { user: string; n: number; tag: string };
      expect(m.key).toBe(rec.user);
      expect(rec.tag).toBe('x');
      expect(m.partition).toBe(partitionFor(rec.user, 4));
    }
    // every message is there once, in input order within each key
    const values = got.map((m) => JSON.parse(m.payload) as { user: string; n: number });
    expect(values.map((v) => v.n).sort((a, b) => a - b)).toEqual(input.map((_, i) => i));
    for (const u of USERS) {
      const ns = values.filter((v) => v.user === u).map((v) => v.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    // kcat's own format string agrees
    const f = lines((await kcatRead(B, keyed, ['-f', '%k %s\n'])).stdout);
    expect(f).toHaveLength(40);
    for (const l of f) expect(JSON.parse(l.slice(l.indexOf(' ') + 1)).user).toBe(l.slice(0, l.indexOf(' ')));
  });

  it.skipIf(!haveKcat)('--partition-by hashes the value (murmur2, like a Java key); a non-string key is its JSON text', async () => {
    await write(['where true', '--to', `kafka://${B}/${byRegion}`, '--partition-by', 'region', '--key', '{u: user}'], input.join('\n') + '\n');
    const got = await readJson(byRegion);
    expect(got).toHaveLength(40);
    for (const m of got) {
      const rec = JSON.parse(m.payload) as { user: string; region: string };
      expect(m.partition).toBe(partitionFor(rec.region, 3));
      expect(m.key).toBe(JSON.stringify({ u: rec.user }));
    }
    expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it.skipIf(!haveKcat)('--compression none|gzip|snappy|lz4|zstd: kcat reads back what sluice wrote', async () => {
    for (const c of codecs) {
      await write(['where n < 30', '--to', `kafka://${B}/${codecTopic[c]}`, '--compression', c], input.join('\n') + '\n');
      const got = lines((await kcatRead(B, codecTopic[c])).stdout);
      expect(got.sort(), c).toEqual(input.slice(0, 30).sort());
    }
  });

  it.skipIf(!haveKcat)('Kafka to Kafka: headers pass through, keys from @key, values rewritten', async () => {
    await kcatProduce(B, withHeaders, ['a\t{"n":1}', 'b\t{"n":2}'], ['-K', '\t', '-H', 'trace=t-1', '-H', 'origin=kcat']);
    await write(['set n2 = n * 2', `kafka://${B}/${withHeaders}`, '-e', '--to', `kafka://${B}/${copied}`, '--key', '@key'], '');
    const got = await readJson(copied);
    expect(got.map((m) => ({ key: m.key, headers: m.headers, payload: m.payload }))).toEqual([
      { key: 'a', headers: ['trace', 't-1', 'origin', 'kcat'], payload: '{"n":1,"n2":2}' },
      { key: 'b', headers: ['trace', 't-1', 'origin', 'kcat'], payload: '{"n":2,"n2":4}' },
    ]);
  });

  it.skipIf(!haveKcat)('the seed example: readings → alerts above a threshold, and readings in Fahrenheit', async () => {
    const t0 = 1_700_000_000_000;
    const data = [21.5, 31, 29.9, 35.5, 30, 12].map((celsius, i) => JSON.stringify({ sensor: `s${i % 2 + 1}`, celsius, ts: t0 + i * 1000 }));
    await kcatProduce(B, readings, data);
    await Promise.all([
      write(['where celsius > 30 | set alert = "hot"', `kafka://${B}/${readings}`, '-e', '-G', uniqueTopic('g-alerts'), '--to', `kafka://${B}/${alerts}`, '--key', 'sensor'], ''),
      write(['set fahrenheit = celsius * 9 / 5 + 32', `kafka://${B}/${readings}`, '-e', '-G', uniqueTopic('g-adjusted'), '--to', `kafka://${B}/${adjusted}`, '--key', 'sensor'], ''),
    ]);
    // the readings topic has two partitions, read in no fixed order: compare in time order
    const alerted = (await readJson(alerts)).map((m) => ({ key: m.key, ...(JSON.parse(m.payload) as { ts: number }) }));
    expect(alerted.sort((a, b) => a.ts - b.ts)).toEqual([
      { key: 's2', sensor: 's2', celsius: 31, ts: t0 + 1000, alert: 'hot' },
      { key: 's2', sensor: 's2', celsius: 35.5, ts: t0 + 3000, alert: 'hot' },
    ]);
    const adj = (await readJson(adjusted)).map((m) => JSON.parse(m.payload) as { sensor: string; celsius: number; fahrenheit: number; ts: number });
    expect(adj.sort((a, b) => a.ts - b.ts)).toEqual(data.map((d) => {
      const r = JSON.parse(d) as { celsius: number };
      return { ...r, fahrenheit: (r.celsius * 9) / 5 + 32 };
    }));
  });
});
