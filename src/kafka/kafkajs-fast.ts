// Loads kafkajs with faster record encoding and decoding.
//
// kafkajs 2.2.4 (frozen since 2023) decodes every fetched record with a fresh Decoder object
// and two 64-bit Long additions turned into strings, then compares each offset again as a Long
// parsed back from that string: on small messages, a third of sluice's CPU time and most of
// its garbage. Producing, it starts every record in a zeroed 512-byte buffer, writes each
// varint through a fresh array, and groups a send's messages by partition in quadratic time.
// This module replaces the internal modules responsible, in Node's require cache, before
// kafkajs itself loads:
//
//   kafkajs/src/protocol/recordBatch/v0/decoder     one pass over a batch's bytes with plain
//                                                   numbers; records read lazily
//   kafkajs/src/consumer/batch                      offsets compared as numbers
//   kafkajs/src/protocol/recordBatch/record/v0      a record's bytes written into one buffer
//   kafkajs/src/producer/groupMessagesPerPartition  one pass instead of a copy per message
//   kafkajs/src/protocol/requests/produce/v3/request a partition's record batch written into one
//                                                   buffer, no object per message, CRC32C eight
//                                                   bytes a step (produce-encoder.ts; v4-v7 reuse v3)
//   kafkajs/src/protocol/request                    a request's frame around its payload with one
//                                                   copy instead of two into doubling buffers
//
// and it offers a rewrite of kafkajs's default partitioner (makeDefaultPartitioner: kafkajs's
// filters the partitions into a new array for every message and hashes keys with Long objects),
// which client.ts hands to kafkajs as `createPartitioner`.
//
// Everything else (fetching, groups, transactions, the codecs sluice registers) is kafkajs's
// own. The replacements produce exactly what kafkajs produced (tests run both on random
// batches and records), and step aside whenever the numbers could not be exact: an offset or
// timestamp beyond 2^53 goes through kafkajs's own code. Only the version this was written
// against is patched; SLUICE_KAFKAJS_DECODER=kafkajs switches the patch off.

import { createRequire } from 'node:module';
import { makeProduceRequest, makeRequestFramer, sizeOfUVarint, writeUVarint, zigzag, type KafkajsPieces } from './produce-encoder.js';

type Kafkajs = typeof import('kafkajs');

/** The kafkajs version whose internals this module replaces. */
export const PATCHED_VERSION = '2.2.4';

interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
}

interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}

type Headers = { [key: string]: Buffer | null | (Buffer | null)[] };

interface RecordContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte?: number;
}

/** A record as kafkajs's own decoder returns it. */
export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  isControlRecord: boolean;
  batchContext: RecordContext;
}

export interface DecodedBatch extends RecordContext {
  records: DecodedRecord[];
}

type BatchDecoder = (decoder: KafkajsDecoder) => Promise<DecodedBatch>;

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;
/** firstOffset(8) length(4): the part of a batch before its `length` bytes. */
const BATCH_PREFIX = 12;
/** From the end of the prefix to the first record: epoch .. firstSequence, record count. */
const RECORDS_AT = 49;
const TWO_32 = 2 ** 32;
/**
 * An int64 whose high word is at most this in size is exact as a double, and stays exact
 * after adding a record's 32-bit delta (|n| < 2^53 - 2^32).
 */
const SAFE_HIGH = 0x1ffffe;

/**
 * Bytes that cannot be a record batch. Not kafkajs's "partial message" (which only means the
 * fetch cut the last batch short and is skipped): a corrupt batch stops the read with its
 * reason rather than shortening a fetch that would then be fetched again, forever.
 */
export class CorruptBatchError extends Error {
  constructor(message: string) {
    super(`corrupt record batch: ${message}`);
    this.name = 'CorruptBatchError';
  }
}

/** A shared, empty, frozen headers object for the (usual) records without headers. */
const NO_HEADERS: Headers = Object.freeze(Object.create(null) as Headers);

/** Builds the fast batch decoder on top of kafkajs's own pieces (errors, codecs, fallback). */
export function makeBatchDecoder(
  original: BatchDecoder,
  lookupCodecByAttributes: (attributes: number) => Codec | null,
  PartialMessageError: new (message: string) => Error,
): BatchDecoder {
  return async function decodeRecordBatch(fetchDecoder: KafkajsDecoder): Promise<DecodedBatch> {
    const buf = fetchDecoder.buffer;
    const at = fetchDecoder.offset;
    const offsetHigh = buf.readInt32BE(at);
    if (offsetHigh < 0 || offsetHigh > SAFE_HIGH) return original(fetchDecoder);
    const firstOffsetN = offsetHigh * TWO_32 + buf.readUInt32BE(at + 4);
    const length = buf.readInt32BE(at + 8);
    const start = at + BATCH_PREFIX;
    // as kafkajs: step over the batch first, then complain if it was cut short by the fetch size
    if (start + length > buf.length) {
      fetchDecoder.offset = start + length;
      throw new PartialMessageError(
        `Tried to decode a partial record batch: remainingBytes(${Math.max(0, buf.length - start)}) < recordBatchLength(${length})`,
      );
    }
    const timestampHigh = buf.readInt32BE(start + 15);
    const maxTimestampHigh = buf.readInt32BE(start + 23);
    if (Math.abs(timestampHigh) > SAFE_HIGH || Math.abs(maxTimestampHigh) > SAFE_HIGH) return original(fetchDecoder);
    fetchDecoder.offset = start + length;
    const end = start + length;

    const partitionLeaderEpoch = buf.readInt32BE(start);
    const magicByte = buf.readInt8(start + 4);
    const attributes = buf.readInt16BE(start + 9);
    const lastOffsetDelta = buf.readInt32BE(start + 11);
    const firstTimestampN = Number(buf.readBigInt64BE(start + 15));
    const maxTimestamp = buf.readBigInt64BE(start + 23).toString();
    const producerId = buf.readBigInt64BE(start + 31).toString();
    const producerEpoch = buf.readInt16BE(start + 39);
    const firstSequence = buf.readInt32BE(start + 41);
    const timestampType = (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME;
    const isControlBatch = (attributes & CONTROL_FLAG_MASK) > 0;
    const recordContext: RecordContext = {
      firstOffset: String(firstOffsetN),
      firstTimestamp: String(firstTimestampN),
      partitionLeaderEpoch,
      inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
      isControlBatch,
      lastOffsetDelta,
      producerId,
      producerEpoch,
      firstSequence,
      maxTimestamp,
      timestampType,
    };
    const batchContext: RecordContext = { ...recordContext, magicByte };
    // kafkajs: LOG_APPEND_TIME batches give every record the batch's max timestamp
    const fixedTimestamp = timestampType === LOG_APPEND_TIME ? maxTimestamp : null;

    const count = buf.readInt32BE(start + 45);
    let records: DecodedRecord[];
    const codec = lookupCodecByAttributes(attributes);
    if (codec === null) {
      records = count === -1 ? [] : decodeRecords(buf, start + RECORDS_AT, end, count);
    } else if (count <= 0) {
      records = [];
    } else {
      const plain = await codec.decompress(buf.subarray(start + RECORDS_AT, end));
      records = decodeRecords(plain, 0, plain.length, count);
    }
    return { ...recordContext, records };

    function decodeRecords(b: Buffer, pos: number, limit: number, n: number): DecodedRecord[] {
      const bytes = new BatchBytes(b, firstOffsetN, firstTimestampN, fixedTimestamp, batchContext);
      const corrupt = (i: number) => new CorruptBatchError(`record ${i} of ${n} in the batch at offset ${firstOffsetN} runs past its end`);
      const out: DecodedRecord[] = new Array(n);
      for (let i = 0; i < n; i++) {
        // Length varint, then the record's fields; the next record starts after Length bytes
        const len = zigzag32(readVarUint(b, pos));
        pos = varPos;
        const next = pos + len;
        if (len < 0 || next > limit) throw corrupt(i);
        const recordAttributes = (b[pos++]! << 24) >> 24;
        const tsDelta = readVarLong(b, pos);
        pos = varPos;
        const offsetDelta = zigzag32(readVarUint(b, pos));
        pos = varPos;
        const keyLength = zigzag32(readVarUint(b, pos));
        pos = varPos;
        const keyAt = pos;
        if (keyLength > 0) pos += keyLength;
        const valueLength = zigzag32(readVarUint(b, pos));
        pos = varPos;
        const valueAt = pos;
        if (valueLength > 0) pos += valueLength;
        const headerCount = zigzag32(readVarUint(b, pos));
        pos = varPos;
        let headers = NO_HEADERS;
        if (headerCount > 0) {
          headers = Object.create(null) as Headers;
          for (let h = 0; h < headerCount; h++) {
            const kl = zigzag32(readVarUint(b, pos));
            pos = varPos;
            const hk = kl >= 0 ? b.toString('utf8', pos, pos + kl) : 'null';
            if (kl > 0) pos += kl;
            const vl = zigzag32(readVarUint(b, pos));
            pos = varPos;
            let hv: Buffer | null = null;
            if (vl >= 0) {
              hv = b.subarray(pos, pos + vl);
              pos += vl;
            }
            if (pos > next) break;
            const prev = headers[hk];
            headers[hk] = prev === undefined ? hv : Array.isArray(prev) ? prev.concat([hv]) : [prev, hv];
          }
        }
        if (pos > next) throw corrupt(i);
        out[i] = new FastRecord(
          bytes, recordAttributes, offsetDelta, tsDelta, keyAt, keyLength, valueAt, valueLength, headers,
        );
        pos = next;
      }
      return out;
    }
  };
}

/**
 * `length` bytes at `at` as UTF-8 text: Buffer's own utf8Slice (what toString('utf8') calls after
 * checking its arguments), about half the time of a scan for ASCII and a cut from a Latin-1 copy
 * of the batch on 62-byte values.
 */
const utf8Text: (b: Buffer, at: number, end: number) => string =
  typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice === 'function'
    ? (b, at, end) => (b as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice(at, end)
    : (b, at, end) => b.toString('utf8', at, end);

/** What the records of one batch share: its bytes, the numbers they are relative to. */
class BatchBytes {
  constructor(
    readonly buf: Buffer,
    readonly firstOffset: number,
    readonly firstTimestamp: number,
    readonly fixedTimestamp: string | null,
    readonly batchContext: RecordContext,
  ) {}

  /** `length` bytes at `at` as text. */
  slice(at: number, length: number): string {
    return utf8Text(this.buf, at, at + length);
  }
}

/**
 * A record as kafkajs's decoder made it (same fields), but computing offset, timestamp, key
 * and value only when read: sluice reads numbers and text straight from the batch's bytes
 * with `recordOffset`, `recordTimestamp`, `recordKeyText` and `recordValueText`.
 */
class FastRecord implements DecodedRecord {
  constructor(
    private readonly bytes: BatchBytes,
    readonly attributes: number,
    private readonly offsetDelta: number,
    private readonly timestampDelta: number,
    private readonly keyAt: number,
    private readonly keyLength: number,
    private readonly valueAt: number,
    private readonly valueLength: number,
    readonly headers: Headers,
  ) {}

  get magicByte(): number { return this.bytes.batchContext.magicByte!; }
  get isControlRecord(): boolean { return this.bytes.batchContext.isControlBatch; }
  get batchContext(): RecordContext { return this.bytes.batchContext; }
  get offset(): string { return String(this.offsetNumber()); }
  get timestamp(): string { return this.bytes.fixedTimestamp ?? String(this.timestampNumber()); }
  get key(): Buffer | null {
    return this.keyLength < 0 ? null : this.bytes.buf.subarray(this.keyAt, this.keyAt + this.keyLength);
  }
  get value(): Buffer | null {
    return this.valueLength < 0 ? null : this.bytes.buf.subarray(this.valueAt, this.valueAt + this.valueLength);
  }

  offsetNumber(): number { return this.bytes.firstOffset + this.offsetDelta; }
  timestampNumber(): number {
    const fixed = this.bytes.fixedTimestamp;
    return fixed !== null ? Number(fixed) : this.bytes.firstTimestamp + this.timestampDelta;
  }
  keyText(): string | null { return this.keyLength < 0 ? null : this.bytes.slice(this.keyAt, this.keyLength); }
  valueText(): string | null { return this.valueLength < 0 ? null : this.bytes.slice(this.valueAt, this.valueLength); }
}

interface MessageLike {
  offset: string;
  timestamp: string;
  key?: Buffer | null;
  value: Buffer | null;
}

/** A fetched message's offset as a number. */
export const recordOffset = (m: MessageLike): number => (m instanceof FastRecord ? m.offsetNumber() : Number(m.offset));
/** A fetched message's timestamp (epoch ms) as a number. */
export const recordTimestamp = (m: MessageLike): number => (m instanceof FastRecord ? m.timestampNumber() : Number(m.timestamp));
/** A fetched message's value as UTF-8 text, or null. */
export const recordValueText = (m: MessageLike): string | null =>
  m instanceof FastRecord ? m.valueText() : m.value === null ? null : m.value.toString('utf8');
/** A fetched message's key as UTF-8 text, or null. */
export const recordKeyText = (m: MessageLike): string | null =>
  m instanceof FastRecord ? m.keyText() : m.key === null || m.key === undefined ? null : m.key.toString('utf8');

// Varints: the reader leaves the position after the number in varPos (no tuple to allocate).
let varPos = 0;

function readVarUint(b: Buffer, pos: number): number {
  let byte = b[pos++];
  if (byte === undefined) throw new CorruptBatchError('a number runs past the end of the batch');
  if (byte < 0x80) {
    varPos = pos;
    return byte;
  }
  let result = byte & 0x7f;
  let shift = 7;
  do {
    byte = b[pos++];
    if (byte === undefined) throw new CorruptBatchError('a number runs past the end of the batch');
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80 && shift < 35);
  varPos = pos;
  return result >>> 0;
}

const zigzag32 = (v: number): number => (v >>> 1) ^ -(v & 1);

/** A zigzag varlong as a double: exact up to 2^53, which any real timestamp delta is. */
function readVarLong(b: Buffer, pos: number): number {
  let byte = b[pos++];
  if (byte === undefined) throw new CorruptBatchError('a number runs past the end of the batch');
  if (byte < 0x80) {
    varPos = pos;
    return zigzag32(byte);
  }
  let result = byte & 0x7f;
  let scale = 128;
  do {
    byte = b[pos++];
    if (byte === undefined) throw new CorruptBatchError('a number runs past the end of the batch');
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80 && scale <= 2 ** 63);
  varPos = pos;
  // zigzag: even n is n/2, odd n is -(n+1)/2
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

interface KafkajsMessage {
  offset: string;
}

interface BatchClass {
  new (topic: string, fetchedOffset: string, partitionData: { messages: KafkajsMessage[]; abortedTransactions?: unknown[] }): {
    rawMessages: KafkajsMessage[];
    messagesWithinOffset: KafkajsMessage[];
    messages: KafkajsMessage[];
  };
}

const offsetOf = (m: KafkajsMessage): number => (m instanceof FastRecord ? m.offsetNumber() : Number(m.offset));

/** kafkajs's Batch, with the per-message offset filter done on numbers instead of Longs. */
export function makeBatchClass(
  Original: BatchClass,
  filterAbortedMessages: (args: { messages: KafkajsMessage[]; abortedTransactions?: unknown[] }) => KafkajsMessage[],
): BatchClass {
  return class FastBatch extends Original {
    constructor(topic: string, fetchedOffset: string, partitionData: { messages: KafkajsMessage[]; abortedTransactions?: unknown[] }) {
      // the parent sets every field from an empty message list (cheap), then we fill them in
      super(topic, fetchedOffset, { ...partitionData, messages: [] });
      const raw = partitionData.messages;
      const from = Number(fetchedOffset);
      let within = raw;
      if (!Number.isSafeInteger(from)) {
        within = new Original(topic, fetchedOffset, partitionData).messagesWithinOffset;
      } else {
        // offsets ascend within a partition's fetch: drop the records before the fetched offset
        let cut = 0;
        for (let j = 0; j < raw.length; j++) {
          if (offsetOf(raw[j]!) >= from) continue;
          if (cut === j) {
            cut++;
          } else {
            within = raw.filter((m) => offsetOf(m) >= from);
            cut = 0;
            break;
          }
        }
        if (cut > 0) within = raw.slice(cut);
      }
      this.rawMessages = raw;
      this.messagesWithinOffset = within;
      this.messages = filterAbortedMessages({ messages: within, abortedTransactions: partitionData.abortedTransactions }).filter(
        (m) => !(m as { isControlRecord?: boolean }).isControlRecord,
      );
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Producing: one record's bytes in one allocation

type Payload = Buffer | string | null | undefined;

interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Payload;
  value?: Payload;
  headers?: { [key: string]: Payload | Payload[] };
}

/** kafkajs's Encoder, as far as the record-batch encoder uses it. */
interface EncoderLike {
  buf: Buffer;
  offset: number;
}

const isPayload = (v: unknown): v is Payload => v === null || v === undefined || typeof v === 'string' || Buffer.isBuffer(v);
const payloadLength = (v: Payload): number => (v === null || v === undefined ? -1 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

function writePayload(b: Buffer, pos: number, v: Payload, length: number): number {
  pos = writeUVarint(b, pos, zigzag(length));
  if (length > 0) {
    if (typeof v === 'string') b.write(v, pos, length, 'utf8');
    else (v as Buffer).copy(b, pos);
    pos += length;
  }
  return pos;
}

/**
 * kafkajs's record encoder (recordBatch/record/v0) writes every varint through a fresh array
 * and Buffer and starts every record in a zeroed 512-byte buffer; this writes the same bytes
 * into one buffer of the exact size. Anything unusual (a payload that is not text or bytes, a
 * timestamp delta past 2^50) goes to kafkajs's encoder.
 */
export function makeRecordEncoder(original: (r: RecordInput) => EncoderLike, EncoderProto: object): (r: RecordInput) => EncoderLike {
  return function encodeRecord(r: RecordInput): EncoderLike {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = r;
    if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x3fffffff) return original(r);
    if (!Number.isSafeInteger(timestampDelta) || Math.abs(timestampDelta) > 2 ** 50) return original(r);
    if (!isPayload(key) || !isPayload(value)) return original(r);
    const keyLength = payloadLength(key);
    const valueLength = payloadLength(value);
    // headers as kafkajs lists them: each key once, or once per value of an array
    const names: string[] = [];
    const values: (string | Buffer)[] = [];
    for (const name of Object.keys(headers)) {
      const v = headers[name];
      const list = Array.isArray(v) ? v : [v];
      for (const one of list) {
        if (typeof one !== 'string' && !Buffer.isBuffer(one)) return original(r);
        names.push(name);
        values.push(one);
      }
    }
    let headerBytes = sizeOfUVarint(zigzag(names.length));
    const nameLengths = new Array<number>(names.length);
    const valueLengths = new Array<number>(names.length);
    for (let i = 0; i < names.length; i++) {
      const nl = (nameLengths[i] = Buffer.byteLength(names[i]!, 'utf8'));
      const vl = (valueLengths[i] = payloadLength(values[i]));
      headerBytes += sizeOfUVarint(zigzag(nl)) + nl + sizeOfUVarint(zigzag(vl)) + vl;
    }
    const body =
      1 +
      sizeOfUVarint(zigzag(timestampDelta)) +
      sizeOfUVarint(zigzag(offsetDelta)) +
      sizeOfUVarint(zigzag(keyLength)) + Math.max(0, keyLength) +
      sizeOfUVarint(zigzag(valueLength)) + Math.max(0, valueLength) +
      headerBytes;
    const b = Buffer.allocUnsafe(sizeOfUVarint(zigzag(body)) + body);
    let pos = writeUVarint(b, 0, zigzag(body));
    b[pos++] = 0; // attributes: none are used
    pos = writeUVarint(b, pos, zigzag(timestampDelta));
    pos = writeUVarint(b, pos, zigzag(offsetDelta));
    pos = writePayload(b, pos, key, keyLength);
    pos = writePayload(b, pos, value, valueLength);
    pos = writeUVarint(b, pos, zigzag(names.length));
    for (let i = 0; i < names.length; i++) {
      pos = writePayload(b, pos, names[i]!, nameLengths[i]!);
      pos = writePayload(b, pos, values[i]!, valueLengths[i]!);
    }
    // a kafkajs Encoder holding exactly these bytes (what the batch encoder copies from)
    const encoder = Object.create(EncoderProto) as EncoderLike;
    encoder.buf = b;
    encoder.offset = pos;
    return encoder;
  };
}

interface GroupArgs<M> {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: M }) => number;
}

/**
 * kafkajs's groupMessagesPerPartition copies a partition's array for every message
 * (`[...current, message]`), quadratic in the messages of a send; this is the same grouping
 * (partitions as keys, messages in order) in one pass.
 */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupArgs<M>): { [partition: number]: M[] } {
  const result: { [partition: number]: M[] } = {};
  if (partitionMetadata.length === 0) return result;
  // one argument object for every call, not one per message (kafkajs's partitioners keep none)
  const args: { topic: string; partitionMetadata: unknown[]; message: M } = { topic, partitionMetadata, message: messages[0]! };
  for (const message of messages) {
    args.message = message;
    const partition = partitioner(args);
    (result[partition] ??= []).push(message);
  }
  return result;
}

/** Java's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as kafkajs's default partitioner. */
export function murmur2(data: Buffer): number {
  const len = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ len;
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = len & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

interface PartitionMeta {
  partitionId: number;
  leader: number;
}

interface PartitionedMessage {
  partition?: number | null;
  key?: Buffer | string | null;
}

type Partitioner = (args: { topic: string; partitionMetadata: PartitionMeta[]; message: PartitionedMessage }) => number;

/**
 * kafkajs's DefaultPartitioner (partitioners/legacy/partitioner.js with default/murmur2.js): the
 * message's partition, else Java's murmur2 of its key, else round robin over the partitions that
 * have a leader from a random start per topic. kafkajs filters the partitions into a new array for
 * every message and hashes with 64-bit Long objects; this counts them without an array (the
 * filtered list only when a leader is missing) and hashes on 32-bit integers (`hash`: sink.ts's
 * murmur2). The same partition for every message (tested against kafkajs's).
 */
export function makeDefaultPartitioner(hash: (data: Buffer) => number, randomStart: () => number): () => Partitioner {
  const toPositive = (x: number) => x & 0x7fffffff;
  return () => {
    const counters: { [topic: string]: number } = {};
    return ({ topic, partitionMetadata, message }) => {
      if (!(topic in counters)) counters[topic] = randomStart();
      const numPartitions = partitionMetadata.length;
      if (message.partition !== null && message.partition !== undefined) return message.partition;
      const key = message.key;
      if (key !== null && key !== undefined) return toPositive(hash(Buffer.isBuffer(key) ? key : Buffer.from(String(key)))) % numPartitions;
      let available = 0;
      for (let i = 0; i < numPartitions; i++) if (partitionMetadata[i]!.leader >= 0) available++;
      if (available > 0) {
        const i = toPositive(++counters[topic]!) % available;
        return (available === numPartitions ? partitionMetadata : partitionMetadata.filter((p) => p.leader >= 0))[i]!.partitionId;
      }
      return toPositive(++counters[topic]!) % numPartitions;
    };
  };
}

let loaded: Kafkajs | undefined;

/** The kafkajs modules replaced, by require id (the test and the startup check read this). */
export const REPLACED_MODULES = [
  'kafkajs/src/protocol/recordBatch/v0/decoder',
  'kafkajs/src/consumer/batch',
  'kafkajs/src/protocol/recordBatch/record/v0',
  'kafkajs/src/producer/groupMessagesPerPartition',
  'kafkajs/src/protocol/requests/produce/v3/request',
  'kafkajs/src/protocol/request',
] as const;

const replacements = new Map<string, unknown>();

/** Is each replacement what kafkajs will use? (kafkajs's own modules when switched off.) */
export function replacementsInstalled(): boolean {
  const require = createRequire(import.meta.url);
  return REPLACED_MODULES.every((id) => {
    const mine = replacements.get(id);
    return mine !== undefined && require.cache[require.resolve(id)]?.exports === mine;
  });
}

/**
 * kafkajs, with the replacements installed. package.json pins kafkajs to the version they were
 * written for; any other version, a module that moved, or kafkajs loaded before the
 * replacements were in place fails loudly instead of silently running (at half the speed, or
 * wrongly) without them. SLUICE_KAFKAJS_DECODER=kafkajs runs kafkajs's own code on purpose.
 */
export function loadKafkajs(): Kafkajs {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (process.env.SLUICE_KAFKAJS_DECODER !== 'kafkajs') {
    const broken = (why: string) => new Error(
      `kafkajs ${version}: ${why}; sluice replaces parts of kafkajs ${PATCHED_VERSION} (the version package.json pins): ` +
      `reinstall sluice's dependencies (npm ci), or set SLUICE_KAFKAJS_DECODER=kafkajs to run on kafkajs's own code`);
    if (version !== PATCHED_VERSION) throw broken('is not the version sluice was built for');
    if (require.cache[require.resolve('kafkajs')] !== undefined) throw broken('was loaded before its replacements were installed');
    const replace = (id: (typeof REPLACED_MODULES)[number], make: (original: never) => unknown): void => {
      const original = require(id) as never;
      const cached = require.cache[require.resolve(id)];
      if (!cached) throw broken(`module ${id} is not where it was`);
      cached.exports = make(original);
      replacements.set(id, cached.exports);
    };
    const errors = require('kafkajs/src/errors') as { KafkaJSPartialMessageError: new (m: string) => Error };
    const compression = require('kafkajs/src/protocol/message/compression') as {
      lookupCodecByAttributes: (attributes: number) => Codec | null;
    };
    const filterAborted = require('kafkajs/src/consumer/filterAbortedMessages') as Parameters<typeof makeBatchClass>[1];
    replace('kafkajs/src/protocol/recordBatch/v0/decoder', (original: BatchDecoder) =>
      makeBatchDecoder(original, compression.lookupCodecByAttributes, errors.KafkaJSPartialMessageError));
    replace('kafkajs/src/consumer/batch', (original: BatchClass) => makeBatchClass(original, filterAborted));
    const Encoder = require('kafkajs/src/protocol/encoder') as { prototype: object };
    replace('kafkajs/src/protocol/recordBatch/record/v0', (original: (r: RecordInput) => EncoderLike) =>
      makeRecordEncoder(original, Encoder.prototype));
    replace('kafkajs/src/producer/groupMessagesPerPartition', () => groupMessagesPerPartition);
    const compressionTypes = require('kafkajs/src/protocol/message/compression') as {
      Types: { None: number };
      COMPRESSION_CODEC_MASK: number;
      lookupCodec: KafkajsPieces['lookupCodec'];
    };
    replace('kafkajs/src/protocol/requests/produce/v3/request', (original: KafkajsPieces['original']) =>
      makeProduceRequest({
        original,
        // the record encoder installed above (kafkajs's, for what it leaves to kafkajs)
        record: replacements.get('kafkajs/src/protocol/recordBatch/record/v0') as KafkajsPieces['record'],
        Encoder: Encoder as unknown as KafkajsPieces['Encoder'],
        Long: require('kafkajs/src/utils/long') as KafkajsPieces['Long'],
        compressionNone: compressionTypes.Types.None,
        codecMask: compressionTypes.COMPRESSION_CODEC_MASK,
        lookupCodec: (type) => compressionTypes.lookupCodec(type),
      }));
    replace('kafkajs/src/protocol/request', () => makeRequestFramer(Encoder as unknown as KafkajsPieces['Encoder']));
    if (!replacementsInstalled()) throw broken('a replacement did not take');
  }
  loaded = require('kafkajs') as Kafkajs;
  return loaded;
}
