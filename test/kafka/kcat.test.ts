// Interoperability with kcat (librdkafka): `sluice --envelope` against `kcat -J` on the same
// messages (field names and order, keys, headers, timestamps, null values), and a round trip
// kcat → sluice → Kafka → kcat.
import { beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers, uniqueTopic } from './helpers.js';
import { createTopics, haveKcat, kcatProduce, kcatRead, lines, sluice } from './support.js';

type Json = { [k: string]: unknown };

describeKafka('kcat interop', () => {
  const B = kafkaBrokers() as string;
  const mixed = uniqueTopic('kc-mixed'); // 2 partitions: keys, headers, JSON, text, logfmt, a null value
  const out = uniqueTopic('kc-out');

  beforeAll(async () => {
    if (!haveKcat) return;
    await createTopics(B, { [mixed]: 2, [out]: 1 });
    await kcatProduce(B, mixed, ['k1\t{"a":1,"b":[true,null]}', 'k2\tplain words'], ['-p', '0', '-K', '\t', '-H', 'trace=abc', '-H', 'n=1']);
    await kcatProduce(B, mixed, ['level=warn msg=slow', '{"a":2}'], ['-p', '1']);
    await kcatProduce(B, mixed, ['gone\t'], ['-p', '1', '-K', '\t', '-Z']); // a tombstone: key, NULL value
  }, 60_000);

  const byPosition = (rs: Json[]) => [...rs].sort((x, y) => (x.partition as number) - (y.partition as number) || (x.offset as number) - (y.offset as number));

  it.skipIf(!haveKcat)('--envelope -I lines is kcat -J, field for field and in the same order (broker aside)', async () => {
    const k = byPosition(lines((await kcatRead(B, mixed, ['-J'])).stdout).map((l) => JSON.parse(l) as Json));
    const r = await sluice([`kafka://${B}/${mixed}`, '-e', '--envelope', '-I', 'lines']);
    expect(r.stderr).toBe('');
    const s = byPosition(lines(r.stdout).map((l) => JSON.parse(l) as Json));
    expect(s).toHaveLength(5);
    expect(s.map((x) => Object.keys(x))).toEqual(k.map((x) => Object.keys(x)));
    expect(s.map((x) => ({ ...x, broker: 'b' }))).toEqual(k.map((x) => ({ ...x, broker: 'b' })));
    expect(s.every((x) => x.broker === -1)).toBe(true);
    expect(k.find((x) => x.key === 'gone')!.payload).toBeNull();
  });

  it.skipIf(!haveKcat)('--envelope with decoding: JSON payloads as values, logfmt as records, text as text', async () => {
    const k = byPosition(lines((await kcatRead(B, mixed, ['-J'])).stdout).map((l) => JSON.parse(l) as Json));
    const s = byPosition(lines((await sluice([`kafka://${B}/${mixed}`, '-e', '--envelope'])).stdout).map((l) => JSON.parse(l) as Json));
    expect(s.map((x) => x.payload)).toEqual([{ a: 1, b: [true, null] }, 'plain words', { level: 'warn', msg: 'slow' }, { a: 2 }, null]);
    expect(s.map((x) => [x.partition, x.offset, x.key, x.ts, x.headers])).toEqual(k.map((x) => [x.partition, x.offset, x.key, x.ts, x.headers]));
  });

  it.skipIf(!haveKcat)('round trip: kcat writes, sluice reads and writes, kcat reads keys, headers and values', async () => {
    const w = await sluice(['where @key != "gone" | set seen = true', `kafka://${B}/${mixed}`, '-e', '-p', '0', '--to', `kafka://${B}/${out}`, '--key', '@key']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    const got = lines((await kcatRead(B, out, ['-f', '%k|%h|%s\n'])).stdout);
    expect(got).toEqual([
      'k1|trace=abc,n=1|{"a":1,"b":[true,null],"seen":true}',
      'k2|trace=abc,n=1|{"line":"plain words","seen":true}',
    ]);
  });
});
