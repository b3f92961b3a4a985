// sluice's replacements of kafkajs internals against kafkajs's own: batches written by kafkajs's
// encoder (plain and compressed, random keys, values, headers, offsets and timestamps) must
// decode to the same records both ways, including batches cut short by the fetch size and
// offsets past 2^53 (which go to kafkajs's decoder); random records must encode to the same
// bytes; a send must group by partition the same way. No broker needed: these are bytes.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lz4Codec, snappyCodec } from '../../src/kafka/codecs.js';
import {
  CorruptBatchError,
  loadKafkajs,
  makeBatchClass,
  makeBatchDecoder,
  makeRecordEncoder,
  groupMessagesPerPartition,
  makeDefaultPartitioner,
  murmur2,
  recordKeyText,
  recordOffset,
  recordTimestamp,
  recordValueText,
  type DecodedBatch,
  type DecodedRecord,
} from '../../src/kafka/kafkajs-fast.js';

const require = createRequire(import.meta.url);
// kafkajs's own modules, loaded before anything could replace them
const originalDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<DecodedBatch>;
const OriginalBatch = require('kafkajs/src/consumer/batch');
const filterAborted = require('kafkajs/src/consumer/filterAbortedMessages');
const Encoder = require('kafkajs/src/protocol/encoder') as { prototype: object };
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => { buffer: Buffer; offset: number };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: object) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const Long = require('kafkajs/src/utils/long');
const originalGroup = require('kafkajs/src/producer/groupMessagesPerPartition');
const { KafkaJSPartialMessageError } = require('kafkajs/src/errors');
const compression = require('kafkajs/src/protocol/message/compression') as {
  Types: { [name: string]: number };
  Codecs: { [type: number]: () => unknown };
};

const GZIP = compression.Types.GZIP!;
const SNAPPY = compression.Types.Snappy!;
const LZ4 = compression.Types.LZ4!;
compression.Codecs[SNAPPY] = () => snappyCodec();
compression.Codecs[LZ4] = () => lz4Codec();
const lookup = (attributes: number) => {
  const make = compression.Codecs[attributes & 0x7];
  return make ? (make() as { decompress(b: Buffer): Promise<Buffer> }) : null;
};

const fast = makeBatchDecoder(originalDecoder, lookup, KafkaJSPartialMessageError);

interface RecordSpec {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [key: string]: Buffer | Buffer[] };
}

interface BatchSpec {
  firstOffset: string;
  firstTimestamp: number;
  compression: number;
  transactional: boolean;
  records: RecordSpec[];
}

async function encode(spec: BatchSpec): Promise<Buffer> {
  const records = spec.records.map((r) => Record(r));
  const last = spec.records.length === 0 ? 0 : Math.max(...spec.records.map((r) => r.offsetDelta));
  const encoded = await RecordBatch({
    compression: spec.compression,
    firstOffset: Long.fromString(spec.firstOffset),
    firstTimestamp: spec.firstTimestamp,
    maxTimestamp: spec.firstTimestamp + 1000,
    lastOffsetDelta: last,
    transactional: spec.transactional,
    records,
  });
  return encoded.buffer;
}

/** Everything a reader of a record can see, through kafkajs's field names and ours. */
function view(r: DecodedRecord) {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : [...r.key],
    value: r.value === null ? null : [...r.value],
    headers: Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (x === null ? null : [...x])) : v === null ? null : [...v]]),
    attributes: r.attributes,
    magicByte: r.magicByte,
    isControlRecord: r.isControlRecord,
    batchContext: r.batchContext,
    offsetNumber: recordOffset(r),
    timestampNumber: recordTimestamp(r),
    keyText: recordKeyText(r),
    valueText: recordValueText(r),
  };
}

function batchView(b: DecodedBatch) {
  const { records, ...rest } = b;
  return { ...rest, records: records.map(view) };
}

/** Both decoders over the same bytes, as kafkajs's decodeMessages drives them. */
async function decodeBoth(bytes: Buffer) {
  const run = async (decode: (d: unknown) => Promise<DecodedBatch>) => {
    const d = new Decoder(bytes);
    const batches: unknown[] = [];
    let error: string | null = null;
    while (d.offset + 49 <= bytes.length) {
      try {
        batches.push(batchView(await decode(d)));
      } catch (e) {
        error = (e as Error).name;
        break;
      }
    }
    return { batches, error, offset: d.offset };
  };
  return { kafkajs: await run(originalDecoder), fast: await run(fast) };
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('{"id":1,"service":"svc1","status":200}', 'é😀 ünïcode', '', 'a\u0000b', '\u007f\u0080'),
).map((s) => Buffer.from(s, 'utf8'));
const payload = fc.oneof(fc.constant(null), text, bytes(60));
const headerValue = fc.oneof(text, bytes(10));
const headers = fc.dictionary(
  fc.constantFrom('h', 'trace', 'é', '', 'x-id'),
  fc.oneof(headerValue, fc.array(headerValue, { minLength: 2, maxLength: 3 })),
  { maxKeys: 3 },
);
const recordsArb = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), timestampDelta: fc.integer({ min: -100_000, max: 2 ** 40 }), key: payload, value: payload, headers }), { maxLength: 12 })
  .map((rs) => {
    let delta = -1;
    return rs.map(({ gap, ...r }) => ({ ...r, offsetDelta: (delta += 1 + gap) }));
  });
const batchArb = fc.record({
  firstOffset: fc.oneof(
    fc.nat({ max: 1_000_000 }).map(String),
    fc.bigInt({ min: 0n, max: 2n ** 63n - 2n ** 32n }).map(String),
    fc.constantFrom('9007194959773695', '9007199254740991', '9223372036854775000'),
  ),
  firstTimestamp: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 42 })),
  compression: fc.constantFrom(0, 0, GZIP, SNAPPY, LZ4),
  transactional: fc.boolean(),
  records: recordsArb,
});

describe('fast record-batch decoder', () => {
  it('decodes every batch as kafkajs does (random records, codecs, offsets, timestamps)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 3 }), async (specs) => {
        const all = Buffer.concat(await Promise.all(specs.map(encode)));
        const { kafkajs, fast: ours } = await decodeBoth(all);
        expect(ours).toEqual(kafkajs);
        expect(ours.batches).toHaveLength(specs.length);
      }),
      { numRuns: 150 },
    );
  });

  it('stops at a batch cut short by the fetch size where kafkajs stops, with its error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), async (specs, where) => {
        const all = Buffer.concat(await Promise.all(specs.map(encode)));
        const cut = all.subarray(0, Math.floor(all.length * where));
        const { kafkajs, fast: ours } = await decodeBoth(cut);
        expect(ours).toEqual(kafkajs);
      }),
      { numRuns: 150 },
    );
  });

  it('reads text, keys and headers exactly as written', async () => {
    const buf = await encode({
      firstOffset: '41',
      firstTimestamp: 1_700_000_000_000,
      compression: 0,
      transactional: false,
      records: [
        { offsetDelta: 0, timestampDelta: 5, key: Buffer.from('k1'), value: Buffer.from('{"a":"é"}'), headers: { h: [Buffer.from('1'), Buffer.from('2')], g: Buffer.from('x') } },
        { offsetDelta: 1, timestampDelta: -5, key: null, value: null, headers: {} },
        { offsetDelta: 2, timestampDelta: 0, key: Buffer.alloc(0), value: Buffer.from('plain ascii'), headers: {} },
      ],
    });
    const batch = await fast(new Decoder(buf));
    expect(batch.records.map((r) => [recordOffset(r), recordTimestamp(r), recordKeyText(r), recordValueText(r)])).toEqual([
      [41, 1_700_000_000_005, 'k1', '{"a":"é"}'],
      [42, 1_699_999_999_995, null, null],
      [43, 1_700_000_000_000, '', 'plain ascii'],
    ]);
    expect(batch.records[0]!.headers.h).toEqual([Buffer.from('1'), Buffer.from('2')]);
    expect(batch.records[0]!.headers.g).toEqual(Buffer.from('x'));
    expect(batch.records[0]!.offset).toBe('41');
  });

  it('gives log-append-time batches the batch time, as kafkajs does', async () => {
    const buf = await encode({
      firstOffset: '0', firstTimestamp: 1000, compression: 0, transactional: false,
      records: [{ offsetDelta: 0, timestampDelta: 3, key: null, value: Buffer.from('v'), headers: {} }],
    });
    buf.writeInt16BE(buf.readInt16BE(21) | 0x8, 21); // attributes: timestamp type = log append time
    const { kafkajs, fast: ours } = await decodeBoth(buf);
    expect(ours).toEqual(kafkajs);
    expect((ours.batches[0] as { records: { timestamp: string }[] }).records[0]!.timestamp).toBe('2000');
  });

  it('refuses a corrupt record (a length past the batch) instead of skipping it', async () => {
    const buf = await encode({
      firstOffset: '7', firstTimestamp: 0, compression: 0, transactional: false,
      records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('hello'), headers: {} }],
    });
    buf[12 + 49] = 0x7e; // the record's length varint: 63, far past the batch's end
    await expect(fast(new Decoder(buf))).rejects.toThrow(CorruptBatchError);
  });

  it('never hangs or crashes the process on random bytes after a valid header', async () => {
    const header = await encode({ firstOffset: '0', firstTimestamp: 0, compression: 0, transactional: false, records: [] });
    await fc.assert(
      fc.asyncProperty(bytes(300), fc.integer({ min: 0, max: 40 }), async (junk, count) => {
        const buf = Buffer.concat([header, junk]);
        buf.writeInt32BE(buf.length - 12, 8);
        buf.writeInt32BE(count, 12 + 45);
        try {
          const batch = await fast(new Decoder(buf));
          expect(batch.records.length).toBe(count);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fast Batch', () => {
  const FastBatch = makeBatchClass(OriginalBatch, filterAborted);

  it('keeps the messages at or after the fetched offset, as kafkajs does', async () => {
    const buf = await encode({
      firstOffset: '100', firstTimestamp: 0, compression: GZIP, transactional: false,
      records: [0, 1, 2, 3, 4].map((d) => ({ offsetDelta: d, timestampDelta: 0, key: null, value: Buffer.from(`m${d}`), headers: {} })),
    });
    const { records } = await fast(new Decoder(buf));
    for (const fetched of ['0', '100', '102', '104', '105']) {
      const ours = new FastBatch('t', fetched, { partition: 0, highWatermark: '105', messages: records } as never);
      const theirs = new OriginalBatch('t', fetched, { partition: 0, highWatermark: '105', messages: records });
      expect(ours.messages.map((m) => m.offset)).toEqual(theirs.messages.map((m: { offset: string }) => m.offset));
      expect(ours.messagesWithinOffset.length).toBe(theirs.messagesWithinOffset.length);
      const o = ours as unknown as { lastOffset(): string; offsetLag(): string; isEmpty(): boolean };
      expect([o.lastOffset(), o.offsetLag(), o.isEmpty()]).toEqual([theirs.lastOffset(), theirs.offsetLag(), theirs.isEmpty()]);
    }
  });
});

describe('fast record encoder', () => {
  const fastRecord = makeRecordEncoder(Record as never, Encoder.prototype);
  const asText = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
  const payloadArb = fc.oneof(payload, payload.map(asText), fc.constant(undefined));

  it('writes the bytes kafkajs writes (keys, values, headers as text or bytes, deltas)', () => {
    fc.assert(
      fc.property(
        fc.record({
          offsetDelta: fc.nat({ max: 2 ** 30 }),
          timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.integer({ min: -(2 ** 50), max: 2 ** 50 })),
          key: payloadArb,
          value: payloadArb,
          headers: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 8 }), headerValue, fc.array(fc.oneof(fc.string({ maxLength: 4 }), headerValue), { minLength: 1, maxLength: 3 })), { maxKeys: 3 }),
        }),
        (r) => {
          const theirs = (Record(r) as { buffer: Buffer }).buffer;
          const ours = (fastRecord(r) as unknown as { buffer: Buffer; size(): number });
          expect([...ours.buffer]).toEqual([...theirs]);
          expect(ours.size()).toBe(theirs.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves what it does not handle to kafkajs (a numeric value, a huge timestamp delta)', () => {
    let calls = 0;
    const counting = (r: object) => { calls++; return Record(r) as never; };
    const enc = makeRecordEncoder(counting, Encoder.prototype);
    expect(() => enc({ value: 5 as never })).toThrow(); // as kafkajs does
    enc({ value: 'x', timestampDelta: 2 ** 52 });
    expect(calls).toBe(2);
    enc({ value: 'x', timestampDelta: 2 ** 40, key: Buffer.from('k'), headers: { a: ['1', Buffer.from('2')] } });
    expect(calls).toBe(2);
  });

  it('makes record batches that decode to what was written', async () => {
    const records = [0, 1, 2].map((i) => fastRecord({ offsetDelta: i, timestampDelta: i * 10, key: `k${i}`, value: `{"i":${i}}`, headers: { h: `${i}` } }));
    for (const compression of [0, GZIP]) {
      const { buffer } = await RecordBatch({ compression, firstOffset: Long.fromInt(5), firstTimestamp: 1000, maxTimestamp: 1020, lastOffsetDelta: 2, records });
      const batch = await fast(new Decoder(buffer));
      expect(batch.records.map((r) => [recordOffset(r), recordTimestamp(r), recordKeyText(r), recordValueText(r), r.headers.h!.toString()])).toEqual([
        [5, 1000, 'k0', '{"i":0}', '0'],
        [6, 1010, 'k1', '{"i":1}', '1'],
        [7, 1020, 'k2', '{"i":2}', '2'],
      ]);
    }
  });
});

describe('grouping a send by partition', () => {
  it('gives what kafkajs gives: partitions as keys, messages in order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: fc.string({ maxLength: 3 }), p: fc.nat({ max: 6 }) }), { maxLength: 60 }), fc.nat({ max: 3 }), (messages, meta) => {
        const args = { topic: 't', partitionMetadata: Array.from({ length: meta }), messages, partitioner: ({ message }: { message: { p: number } }) => message.p };
        const ours = groupMessagesPerPartition(args);
        expect(ours).toEqual(originalGroup(args));
        expect(Object.keys(ours)).toEqual(Object.keys(originalGroup(args)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the default partitioner', () => {
  // kafkajs's own, with its random start per topic made a number the test chooses
  const randomBytesId = require.resolve('kafkajs/src/producer/partitioners/legacy/randomBytes');
  const partitionerId = require.resolve('kafkajs/src/producer/partitioners/legacy/partitioner');
  require(randomBytesId);
  let start = 0;
  require.cache[randomBytesId]!.exports = (size: number) => {
    const b = Buffer.alloc(size);
    b.writeUInt32BE(start, 0);
    return b;
  };
  delete require.cache[partitionerId];
  const kafkajsDefault = (require(partitionerId) as (m: unknown) => () => (a: unknown) => number)(require('kafkajs/src/producer/partitioners/default/murmur2'));
  delete require.cache[partitionerId];
  type Message = { partition?: number | null; key?: string | Buffer | null };
  const message: fc.Arbitrary<Message> = fc.oneof(
    fc.constant({}),
    fc.record({ partition: fc.nat({ max: 7 }) }),
    fc.record({ key: fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 })) }),
    fc.record({ key: fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)) }),
    fc.record({ key: fc.constant(null), partition: fc.constant(null) }),
  );

  it('picks the partition kafkajs picks: the given one, murmur2 of the key, round robin over partitions with a leader', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }), fc.array(fc.constantFrom(-1, 0, 1, 2), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), message), { maxLength: 40 }),
        (s, leaders, messages) => {
          start = s;
          const theirs = kafkajsDefault();
          const ours = makeDefaultPartitioner(murmur2, () => s)();
          const partitionMetadata = leaders.map((leader, partitionId) => ({ partitionId, leader }));
          for (const [topic, m] of messages) expect(ours({ topic, partitionMetadata, message: m })).toBe(theirs({ topic, partitionMetadata, message: m }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round robin from a start near 2^31 and 2^32, as kafkajs wraps it', () => {
    for (const s of [0x7ffffffe, 0xfffffffe, 0xffffffff]) {
      start = s;
      const theirs = kafkajsDefault();
      const ours = makeDefaultPartitioner(murmur2, () => s)();
      const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
      for (let i = 0; i < 6; i++) expect(ours({ topic: 't', partitionMetadata, message: {} })).toBe(theirs({ topic: 't', partitionMetadata, message: {} }));
    }
  });
});

describe('loadKafkajs', () => {
  it('installs the fast decoder for kafkajs 2.2.4 and returns kafkajs', () => {
    const kafkajs = loadKafkajs();
    expect(typeof kafkajs.Kafka).toBe('function');
    const installed = require('kafkajs/src/protocol/recordBatch/v0/decoder');
    expect(installed).not.toBe(originalDecoder);
    expect(installed.name).toBe('decodeRecordBatch');
    expect(require('kafkajs/src/protocol/recordBatch/record/v0').name).toBe('encodeRecord');
    expect(require('kafkajs/src/producer/groupMessagesPerPartition')).toBe(groupMessagesPerPartition);
  });
});
