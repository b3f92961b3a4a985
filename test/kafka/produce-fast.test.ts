// sluice's produce encoder (src/kafka/produce-encoder.ts) against a real broker and kcat: what
// `--to kafka://…` writes, with keys, headers, non-ASCII text, long and empty values, under
// every codec sluice writes (none, gzip, snappy, lz4, zstd), is what kcat reads back, byte for
// byte; and the topic holds exactly what kafkajs's own encoder writes (SLUICE_KAFKAJS_DECODER=kafkajs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { cleanEnv, createTopics, haveKcat, kcatRead, sluice } from './support.js';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const N = 3000;

describeKafka('fast produce encoder', () => {
  const B = kafkaBrokers() as string;
  const topics = Object.fromEntries(CODECS.map((c) => [c, uniqueTopic(`pf-${c}`)])) as Record<(typeof CODECS)[number], string>;
  const spread = uniqueTopic('pf-3p');
  const asKafkajs = uniqueTopic('pf-kafkajs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pf-'));
  const file = path.join(dir, 'in.ndjson');
  // the lines kcat must print (-f '%k|%h|%s\n'): key, headers, then the input line as the value
  const expected: string[] = [];

  beforeAll(async () => {
    const inputs: string[] = [];
    for (let i = 0; i < N; i++) {
      const text = i % 7 === 0 ? 'é✓ 日本' : i % 11 === 0 ? 'x'.repeat(3000 + i) : `v${i}`;
      const rec: { [k: string]: unknown } = { i, text };
      if (i % 5 !== 0) rec.k = `key-${i % 17}`;
      if (i % 3 === 0) rec.tag = `t${i % 4}é`;
      const line = JSON.stringify(rec);
      inputs.push(line);
      expected.push(`${i % 5 !== 0 ? `key-${i % 17}` : ''}|${i % 3 === 0 ? `tag=t${i % 4}é` : ''}|${line}`);
    }
    fs.writeFileSync(file, inputs.join('\n') + '\n');
    await createTopics(B, { ...Object.fromEntries(CODECS.map((c) => [topics[c], 1])), [spread]: 3, [asKafkajs]: 1 });
  }, 120_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const produce = async (topic: string, codec: string, env = cleanEnv()) => {
    const r = await sluice(['where true', file, '--to', `kafka://${B}/${topic}`, '--key', 'k', '--header', 'tag=tag', '--compression', codec], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  const readBack = async (topic: string) => (await kcatRead(B, topic, ['-f', '%k|%h|%s\n'])).stdout.split('\n').slice(0, -1);
  const sorted = (xs: string[]) => [...xs].sort();

  for (const codec of CODECS) {
    it.skipIf(!haveKcat)(`kcat reads back every key, header and value written with --compression ${codec}`, async () => {
      await produce(topics[codec], codec);
      const got = await readBack(topics[codec]);
      expect(got).toHaveLength(N);
      // one partition: every message once, byte for byte, in input order (the sink sends in order)
      expect(got).toEqual(expected);
    }, 60_000);
  }

  it.skipIf(!haveKcat)('a keyed topic of 3 partitions: each key in one partition, every message once', async () => {
    await produce(spread, 'none');
    const got = (await kcatRead(B, spread, ['-f', '%p|%k|%h|%s\n'])).stdout.split('\n').slice(0, -1);
    expect(sorted(got.map((l) => l.slice(l.indexOf('|') + 1)))).toEqual(sorted(expected));
    const partitionsOf = new Map<string, Set<string>>();
    for (const l of got) {
      const [p, k] = l.split('|');
      if (k !== '') (partitionsOf.get(k!) ?? partitionsOf.set(k!, new Set()).get(k!)!).add(p!);
    }
    expect([...partitionsOf.values()].every((ps) => ps.size === 1)).toBe(true);
  }, 60_000);

  it.skipIf(!haveKcat)("writes what kafkajs's own encoder writes (SLUICE_KAFKAJS_DECODER=kafkajs)", async () => {
    await produce(asKafkajs, 'gzip', cleanEnv({ SLUICE_KAFKAJS_DECODER: 'kafkajs' }));
    expect(sorted(await readBack(asKafkajs))).toEqual(sorted(await readBack(topics.gzip)));
  }, 60_000);
});
