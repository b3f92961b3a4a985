// src/kafka/avro.ts without a broker: logical types and edge values decoded from bytes that avsc
// wrote with the same schema minus its logical types (so the display rules are checked, not
// avsc's round trip), and the per-message problems. test/kafka/avro.test.ts decodes what
// Apache Avro's Java library wrote, through a real broker.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import type { Event } from '../../src/core/event.js';
import type { BadValue } from '../../src/formats/spec.js';
import { avroValues } from '../../src/kafka/avro.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-avro-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const field = (name: string, type: unknown) => ({ name, type });
const logical = {
  type: 'record', name: 'T', fields: [
    field('t_ms', { type: 'int', logicalType: 'time-millis' }),
    field('t_us', { type: 'long', logicalType: 'time-micros' }),
    field('local_ms', { type: 'long', logicalType: 'local-timestamp-millis' }),
    field('ts_us', { type: 'long', logicalType: 'timestamp-micros' }),
    field('price', { type: 'fixed', name: 'Price', size: 4, logicalType: 'decimal', precision: 9, scale: 3 }),
    field('small', { type: 'bytes', logicalType: 'decimal', precision: 3, scale: 4 }),
    field('either', ['null', 'int', 'string']),
    field('big', 'long'),
  ],
};
// the same layout, no logical types: what the bytes are made from
const bare = JSON.parse(JSON.stringify(logical).replace(/,"logicalType":"[^"]+"(,"precision":\d+,"scale":\d+)?/g, '')) as avsc.Schema;

/** Avro's long encoding (zigzag, then base-128 varint), exact for any 64-bit value. */
function zigzagVarint(n: bigint): Buffer {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

async function decode(values: Buffer[]) {
  const file = join(dir, 'logical.avsc');
  writeFileSync(file, JSON.stringify(logical));
  const codec = await avroValues({ registry: null, schemaFile: file, timeoutMs: 1000 });
  const out: Event[] = [];
  const bad: BadValue[] = [];
  const src = { name: 't', topic: 't' };
  values.forEach((v, i) => codec.decode(v, src, out, bad, () => `t/0@${i}`, 0));
  return { values: out.map((e) => e.value), bad };
}

describe('-I avro display of logical types', () => {
  const writer = avsc.Type.forSchema(bare, { wrapUnions: false } as never);
  it('times, local timestamps, micros before 1970, fixed and small decimals, longs beyond 2^53, unions', async () => {
    const price = Buffer.alloc(4);
    price.writeInt32BE(-1_234_567);
    // avsc writes longs beyond 2^52 through doubles (inexactly): the last field, big, is written by hand
    const head = writer.toBuffer({ t_ms: 45_296_789, t_us: 45_296_789_012, local_ms: 1_700_000_000_123, ts_us: -1500, price, small: Buffer.from([0x05]), either: 'x', big: 0 });
    const { values, bad } = await decode([
      Buffer.concat([head.subarray(0, -1), zigzagVarint(-9_007_199_254_740_993n)]),
      Buffer.concat([head.subarray(0, -1), zigzagVarint(-9_007_199_254_740_991n)]),
    ]);
    expect(bad).toEqual([]);
    expect(values).toEqual([{
      t_ms: '12:34:56.789', t_us: '12:34:56.789012', local_ms: '2023-11-14T22:13:20.123', ts_us: '1969-12-31T23:59:59.998500Z',
      price: '-1234.567', small: '0.0005', either: 'x', big: '-9007199254740993',
    }, {
      t_ms: '12:34:56.789', t_us: '12:34:56.789012', local_ms: '2023-11-14T22:13:20.123', ts_us: '1969-12-31T23:59:59.998500Z',
      price: '-1234.567', small: '0.0005', either: 'x', big: -9_007_199_254_740_991,
    }]);
  });

  it('a value with bytes left over or cut short is a bad message at its place, not a crash', async () => {
    const good = writer.toBuffer({ t_ms: 0, t_us: 0, local_ms: 0, ts_us: 0, price: Buffer.alloc(4), small: Buffer.alloc(0), big: 0, either: null });
    const { values, bad } = await decode([Buffer.concat([good, Buffer.from([1])]), good.subarray(0, 5), good]);
    expect(values).toEqual([{ t_ms: '00:00:00.000', t_us: '00:00:00.000000', local_ms: '1970-01-01T00:00:00.000', ts_us: '1970-01-01T00:00:00.000000Z', price: '0.000', small: '0', big: 0, either: null }]);
    expect(bad.map((b) => [b.where, b.at])).toEqual([['t/0@0', 0], ['t/0@1', 0]]);
    expect(bad.every((b) => b.reason.startsWith('Avro: '))).toBe(true);
  });

  it('--value-schema that is not a schema, and neither or both schema sources, are usage errors', async () => {
    const file = join(dir, 'bad.avsc');
    writeFileSync(file, '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}');
    await expect(avroValues({ registry: null, schemaFile: file, timeoutMs: 1000 })).rejects.toThrow(/--value-schema .*bad.avsc: not an Avro schema/);
    await expect(avroValues({ registry: null, schemaFile: null, timeoutMs: 1000 })).rejects.toThrow(/needs one of --schema-registry/);
    await expect(avroValues({ registry: null, schemaFile: join(dir, 'none.avsc'), timeoutMs: 1000 })).rejects.toThrow(/cannot read .*none.avsc.* \(--value-schema\): ENOENT/);
  });
});
