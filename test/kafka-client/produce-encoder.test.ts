// sluice's produce request encoder (src/kafka/produce-encoder.ts) against kafkajs's own: random
// requests (topics, partitions, keys and values as text, bytes or null, headers, timestamps, the
// idempotent and transactional fields, every codec) must encode to the same bytes; the CRC32C
// must be kafkajs's on any slice of any buffer. No broker needed: these are bytes.

import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { lz4Codec, snappyCodec, zstdCodec } from '../../src/kafka/codecs.js';
import { makeRecordEncoder } from '../../src/kafka/kafkajs-fast.js';
import { crc32c, makeProduceRequest, makeRequestFramer, type KafkajsPieces, type ProduceArgs } from '../../src/kafka/produce-encoder.js';

const require = createRequire(import.meta.url);
// kafkajs's own modules, loaded before anything could replace them
const originalRequest = require('kafkajs/src/protocol/requests/produce/v3/request') as KafkajsPieces['original'];
const originalV7 = require('kafkajs/src/protocol/requests/produce/v7/request') as KafkajsPieces['original'];
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => { buffer: Buffer };
const originalFrame = require('kafkajs/src/protocol/request') as ReturnType<typeof makeRequestFramer>;
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const Encoder = require('kafkajs/src/protocol/encoder') as KafkajsPieces['Encoder'];
const Long = require('kafkajs/src/utils/long') as KafkajsPieces['Long'] & { fromString(s: string): unknown };
const compression = require('kafkajs/src/protocol/message/compression') as {
  Types: { [name: string]: number };
  Codecs: { [type: number]: () => unknown };
  COMPRESSION_CODEC_MASK: number;
  lookupCodec: KafkajsPieces['lookupCodec'];
};
const { Types } = compression;
compression.Codecs[Types.Snappy!] = () => snappyCodec();
compression.Codecs[Types.LZ4!] = () => lz4Codec();
compression.Codecs[Types.ZSTD!] = () => zstdCodec();

const pieces: KafkajsPieces = {
  original: originalRequest,
  record: makeRecordEncoder(Record as never, Encoder.prototype) as unknown as KafkajsPieces['record'],
  Encoder,
  Long,
  compressionNone: Types.None!,
  codecMask: compression.COMPRESSION_CODEC_MASK,
  lookupCodec: (t) => compression.lookupCodec(t),
};
const fastRequest = makeProduceRequest(pieces);

const encodeWith = async (make: KafkajsPieces['original'], args: ProduceArgs): Promise<Buffer> =>
  ((await make(args).encode()) as { buffer: Buffer }).buffer;

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const text = fc.string({ unit: 'binary', maxLength: 40 });
const payload = fc.oneof(bytes(60), text, fc.constant(null));
const headerValue = fc.oneof(text, bytes(8));
const message = fc.record(
  {
    key: fc.oneof(payload, fc.constant(undefined)),
    value: payload,
    headers: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 })), { maxKeys: 3 }),
    timestamp: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), fc.integer({ min: 0, max: 2000 }).map(String)),
  },
  { requiredKeys: ['value'] },
);
const partition = fc.record(
  {
    partition: fc.nat({ max: 20 }),
    messages: fc.array(message, { maxLength: 25 }),
    firstSequence: fc.nat({ max: 2 ** 31 - 1 }),
  },
  { requiredKeys: ['partition', 'messages'] },
);
const args = (codecs: number[]) =>
  fc.record(
    {
      acks: fc.constantFrom(-1, 0, 1),
      timeout: fc.nat({ max: 60_000 }),
      transactionalId: fc.oneof(fc.constant(null), fc.string({ maxLength: 12 })),
      producerId: fc.bigInt({ min: -1n, max: 2n ** 62n }).map((n) => Long.fromString(String(n))),
      producerEpoch: fc.nat({ max: 32767 }),
      compression: fc.constantFrom(...codecs),
      topicData: fc.array(fc.record({ topic: fc.string({ minLength: 1, maxLength: 10 }), partitions: fc.array(partition, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['acks', 'timeout', 'topicData'] },
  ) as fc.Arbitrary<ProduceArgs>;

describe('produce request encoder', () => {
  beforeEach(() => {
    // kafkajs stamps each batch with Date.now(): the same instant for both encoders
    vi.spyOn(Date, 'now').mockReturnValue(1_750_000_000_123);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the bytes kafkajs writes, uncompressed (random topics, partitions, records, headers, timestamps)', async () => {
    await fc.assert(
      fc.asyncProperty(args([Types.None!]), async (a) => {
        expect((await encodeWith(fastRequest, a)).equals(await encodeWith(originalRequest, a))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the bytes kafkajs writes with every codec sluice registers (gzip, snappy, lz4, zstd)', async () => {
    await fc.assert(
      fc.asyncProperty(args([Types.GZIP!, Types.Snappy!, Types.LZ4!, Types.ZSTD!]), async (a) => {
        expect((await encodeWith(fastRequest, a)).equals(await encodeWith(originalRequest, a))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('writes plain messages (no headers, no timestamps: what sluice sends) as kafkajs does', async () => {
    const messages = Array.from({ length: 3000 }, (_, i) => ({ value: `{"id":${i},"s":"é${'x'.repeat(i % 200)}"}`, key: i % 3 === 0 ? null : `k${i}` }));
    const a: ProduceArgs = { acks: -1, timeout: 30_000, topicData: [{ topic: 'orders', partitions: [{ partition: 0, messages }, { partition: 3, messages: messages.slice(7, 900) }] }] };
    expect((await encodeWith(fastRequest, a)).equals(await encodeWith(originalRequest, a))).toBe(true);
  });

  it('leaves unusual messages to kafkajs: a number as value, a null or array header, a non-numeric timestamp', async () => {
    const messages = [
      { value: 'plain' },
      { value: 5 as never },
      { value: 'h', headers: { a: ['1', Buffer.from('2')] } },
      { value: 't', timestamp: 'soon' },
      { key: Buffer.from([0, 255]), value: Buffer.alloc(0) },
    ];
    const a: ProduceArgs = { acks: 1, timeout: 1000, transactionalId: 'tx', producerId: Long.fromString('77'), producerEpoch: 3, topicData: [{ topic: 't', partitions: [{ partition: 1, messages, firstSequence: 9 }] }] };
    const theirs = await encodeWith(originalRequest, a).catch((e: Error) => e.message);
    const ours = await encodeWith(fastRequest, a).catch((e: Error) => e.message);
    expect(Buffer.isBuffer(theirs) ? theirs.equals(ours as Buffer) : ours).toBe(Buffer.isBuffer(theirs) ? true : theirs);
  });

  it('keeps kafkajs request fields (api key, version, response) and v4-v7 take it over', () => {
    const a: ProduceArgs = { acks: 0, timeout: 10, topicData: [] };
    const ours = fastRequest(a) as unknown as { apiKey: number; apiVersion: number; apiName: string; expectResponse(): boolean };
    const theirs = originalRequest(a) as unknown as typeof ours;
    expect([ours.apiKey, ours.apiVersion, ours.apiName, ours.expectResponse()]).toEqual([theirs.apiKey, theirs.apiVersion, theirs.apiName, theirs.expectResponse()]);
    expect((originalV7(a) as unknown as { apiVersion: number }).apiVersion).toBe(7);
  });
});

describe('request frame', () => {
  const frame = makeRequestFramer(Encoder);
  const payloadEncoder = (b: Buffer) => {
    const e = new Encoder();
    e.buf = Buffer.concat([b, Buffer.alloc(5)]); // room past the end, as kafkajs's encoders have
    e.offset = b.length;
    return e;
  };

  it('is the frame kafkajs writes around any payload (size, api key, version, correlation id, client id)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 70 }), fc.nat({ max: 12 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.string({ maxLength: 30 }), bytes(3000), async (apiKey, apiVersion, correlationId, clientId, body) => {
        const a = { correlationId, clientId, request: { apiKey, apiVersion, encode: async () => payloadEncoder(body) } };
        const ours = (await frame(a)).buffer;
        expect(ours.equals((await originalFrame(a)).buffer)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a payload that is not an Encoder, as kafkajs does', async () => {
    const a = { correlationId: 1, clientId: 'c', request: { apiKey: 0, apiVersion: 3, encode: async () => Buffer.from('x') } };
    await expect(frame(a)).rejects.toThrow('value should be an instance of Encoder');
    await expect(originalFrame(a)).rejects.toThrow('value should be an instance of Encoder');
  });
});

describe('crc32c', () => {
  it('is kafkajs crc32C on any slice of any buffer (aligned or not)', () => {
    fc.assert(
      fc.property(bytes(600), fc.nat(), fc.nat(), (b, x, y) => {
        const from = b.length === 0 ? 0 : x % b.length;
        const to = from + (b.length === from ? 0 : y % (b.length - from + 1));
        expect(crc32c(b, from, to)).toBe(kafkajsCrc(b.subarray(from, to)));
        expect(crc32c(b)).toBe(kafkajsCrc(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('has the check value of CRC-32C ("123456789" → 0xe3069283)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});
