// The body of a Produce request, written the way kafkajs 2.2.4 writes it, but without its cost.
//
// kafkajs's produce request (protocol/requests/produce/v3/request.js, which v4-v7 reuse) builds,
// for every message, a spread copy of the message object, then a record Encoder, then copies the
// records into a batch Encoder that grows by doubling into zeroed buffers, then copies that twice
// more, and checksums the batch with a byte-at-a-time CRC32C. On 62-byte messages that was two
// thirds of sluice's producing time (the object spread alone a fifth, the garbage another sixth).
//
// Here each partition's entry (partition, size, record batch) is measured first and then written
// into one buffer of exactly its size: records straight from the messages (no per-message object),
// the batch header through kafkajs's own Encoder (its Long handling of timestamps and producer
// ids, so these bytes are kafkajs's by construction), and the checksum with a slice-by-8 CRC32C.
// A compressed batch hands its records to the same codec kafkajs would, once per batch. Anything
// unusual in a message (a value that is neither text nor bytes, a header that is not, a timestamp
// delta that is not a safe integer) goes through kafkajs's own record encoder for that message;
// the result is byte for byte what kafkajs sends (test/kafka-client/produce-encoder.test.ts runs
// both on random requests).

/** A message as kafkajs's producer passes it to the request (after partitioning). */
export interface ProduceMessage {
  key?: unknown;
  value?: unknown;
  headers?: { [name: string]: unknown } | null;
  timestamp?: unknown;
  partition?: number;
}

export interface PartitionData {
  partition: number;
  messages: ProduceMessage[];
  firstSequence?: number;
}

export interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}

/** kafkajs's Encoder, as far as this module uses it. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  writeInt16(v: number): KafkajsEncoder;
  writeInt32(v: number): KafkajsEncoder;
  writeInt64(v: unknown): KafkajsEncoder;
  writeString(v: string | null): KafkajsEncoder;
}

export interface KafkajsPieces {
  /** kafkajs's own produce request v3 (apiKey, apiName, expectResponse come from it). */
  original: (args: ProduceArgs) => { encode: () => Promise<unknown> };
  /** kafkajs's record encoder (recordBatch/record/v0), for the messages this module leaves to it. */
  record: (r: object) => { buffer: Buffer };
  Encoder: new () => KafkajsEncoder;
  /** kafkajs's utils/long: fromInt(-1) and fromValue(-1) are the default producer ids. */
  Long: { fromInt(n: number): unknown; fromValue(n: unknown): unknown };
  /** protocol/message/compression: Types.None, and the codec kafkajs would use. */
  compressionNone: number;
  codecMask: number;
  lookupCodec: (type: number) => { compress(encoder: KafkajsEncoder): Promise<Buffer> };
}

// ---------------------------------------------------------------------------------------------
// CRC32C (Castagnoli, reflected polynomial 0x82f63b78), eight bytes a step ("slicing by 8"):
// eight 256-entry tables in one array, the input read as aligned 32-bit words where the host is
// little-endian. 3.5 times kafkajs's byte-at-a-time loop (90 MB: 170 ms against 600 ms).

const CRC = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** CRC32C of b[start, end), as an unsigned 32-bit number (what kafkajs's crc32C returns). */
export function crc32c(b: Uint8Array, start = 0, end = b.length): number {
  const t = CRC;
  let crc = -1;
  let i = start;
  if (LITTLE_ENDIAN) {
    const lead = Math.min(end, i + ((4 - ((b.byteOffset + i) & 3)) & 3));
    for (; i < lead; i++) crc = t[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
    const pairs = (end - i) >> 3;
    if (pairs > 0) {
      const w = new Int32Array(b.buffer, b.byteOffset + i, pairs * 2);
      for (let j = 0; j < w.length; j += 2) {
        const a = crc ^ w[j]!;
        const c = w[j + 1]!;
        crc =
          t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]! ^
          t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!;
      }
      i += pairs * 8;
    }
  }
  for (; i < end; i++) crc = t[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Varints as kafkajs writes them (zigzag, then 7 bits a byte)

/** zigzag of a 32-bit int (kafkajs's writeVarInt) or of a safe integer (writeVarLong). */
export const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

export function sizeOfUVarint(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  let n = 4;
  v = Math.floor(v / 0x200000);
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function writeUVarint(b: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    b[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  b[pos++] = v;
  return pos;
}

const isText = (v: unknown): v is string => typeof v === 'string';
/** Buffer's own latin1Write (what write(…, 'latin1') calls after checking its arguments), where there is one. */
const latin1Write: (b: Buffer, text: string, at: number, length: number) => void =
  typeof (Buffer.prototype as { latin1Write?: unknown }).latin1Write === 'function'
    ? (b, text, at, length) => { (b as unknown as { latin1Write(s: string, offset: number, length: number): number }).latin1Write(text, at, length); }
    : (b, text, at, length) => { b.write(text, at, length, 'latin1'); };
/** Byte length of a key or value as kafkajs counts it: -1 for null/undefined, else its bytes. */
const payloadLength = (v: unknown): number =>
  v === null || v === undefined ? -1 : isText(v) ? Buffer.byteLength(v, 'utf8') : (v as Buffer).length;
const isPayload = (v: unknown): boolean => v === null || v === undefined || isText(v) || Buffer.isBuffer(v);

function writePayload(b: Buffer, pos: number, v: unknown, length: number): number {
  pos = writeUVarint(b, pos, zigzag(length));
  if (length > 0) {
    // text of as many UTF-8 bytes as characters is ASCII: Latin-1 writes it the same, at twice the speed
    if (isText(v)) {
      if (length === v.length) latin1Write(b, v, pos, length);
      else b.write(v, pos, length, 'utf8');
    }
    else (v as Buffer).copy(b, pos);
    pos += length;
  }
  return pos;
}

/** No headers: kafkajs's default `{}`, or an object without keys (others go to the record encoder). */
function noHeaders(h: ProduceMessage['headers']): boolean {
  if (h === undefined) return true;
  if (h === null || typeof h !== 'object') return false;
  for (const _ in h) return false;
  return true;
}

/** The partition-entry prefix: partition(4) batch size(4) firstOffset(8) length(4) epoch(4) magic(1) crc(4). */
const PREFIX = 29;
/** attributes(2) lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2) firstSequence(4). */
const BODY_HEADER = 36;
const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;

/**
 * One partition's records: measured, then written. A message that is not plain (see the top)
 * is encoded by kafkajs's record encoder and its bytes kept in `fallback`.
 */
class Records {
  readonly keyLengths: Int32Array;
  readonly valueLengths: Int32Array;
  readonly bodies: Int32Array;
  readonly fallback: (Buffer | undefined)[] | null = null;
  readonly size: number;

  constructor(
    readonly messages: ProduceMessage[],
    readonly deltas: number[] | null,
    record: KafkajsPieces['record'],
  ) {
    const n = messages.length;
    this.keyLengths = new Int32Array(n);
    this.valueLengths = new Int32Array(n);
    this.bodies = new Int32Array(n);
    let size = 0;
    let fallback: (Buffer | undefined)[] | null = null;
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      const delta = deltas === null ? 0 : deltas[i]!;
      const { key, value } = m;
      if (!isPayload(key) || !isPayload(value) || !noHeaders(m.headers) || !Number.isSafeInteger(delta) || Math.abs(delta) > 2 ** 50) {
        const bytes = record({ ...m, offsetDelta: i, timestampDelta: delta }).buffer;
        (fallback ??= new Array<Buffer | undefined>(n))[i] = bytes;
        size += bytes.length;
        continue;
      }
      const kl = (this.keyLengths[i] = payloadLength(key));
      const vl = (this.valueLengths[i] = payloadLength(value));
      // attributes, deltas, key, value, and 0 headers (one byte)
      const body =
        1 + sizeOfUVarint(zigzag(delta)) + sizeOfUVarint(i * 2) +
        sizeOfUVarint(zigzag(kl)) + Math.max(kl, 0) +
        sizeOfUVarint(zigzag(vl)) + Math.max(vl, 0) + 1;
      this.bodies[i] = body;
      size += sizeOfUVarint(body * 2) + body;
    }
    this.fallback = fallback;
    this.size = size;
  }

  /** Writes the records at `pos`; returns the position after them. */
  write(b: Buffer, pos: number): number {
    const { messages, deltas, keyLengths, valueLengths, bodies, fallback } = this;
    for (let i = 0; i < messages.length; i++) {
      const done = fallback === null ? undefined : fallback[i];
      if (done !== undefined) {
        pos += done.copy(b, pos);
        continue;
      }
      const m = messages[i]!;
      pos = writeUVarint(b, pos, bodies[i]! * 2);
      b[pos++] = 0; // attributes: none are used
      pos = writeUVarint(b, pos, deltas === null ? 0 : zigzag(deltas[i]!));
      pos = writeUVarint(b, pos, i * 2);
      pos = writePayload(b, pos, m.key, keyLengths[i]!);
      pos = writePayload(b, pos, m.value, valueLengths[i]!);
      b[pos++] = 0; // no headers
    }
    return pos;
  }
}

/** An Encoder of kafkajs's class holding exactly `b` (what kafkajs's callers read from). */
function encoderOver(Encoder: KafkajsPieces['Encoder'], b: Buffer, length = b.length): KafkajsEncoder {
  const e = Object.create(Encoder.prototype as object) as KafkajsEncoder;
  e.buf = b;
  e.offset = length;
  return e;
}

/**
 * kafkajs's produce request v3 (and so v4-v7, which take it and change the version), with the
 * encoding done here. Same arguments and defaults; the request object is kafkajs's own.
 */
export function makeProduceRequest(k: KafkajsPieces): (args: ProduceArgs) => { encode: () => Promise<unknown> } {
  const { Encoder, Long } = k;

  async function encodePartition(
    { partition, messages, firstSequence }: PartitionData,
    compression: number,
    transactionalId: string | null,
    producerId: unknown,
    producerEpoch: number | undefined,
  ): Promise<Buffer> {
    // timestamps exactly as kafkajs picks them (including its default, string-wise, sort)
    const dateNow = Date.now();
    let stamped: unknown[] | null = null;
    for (const m of messages) if (m.timestamp != null) (stamped ??= []).push(m.timestamp);
    let firstTimestamp: unknown = dateNow;
    let maxTimestamp: unknown = dateNow;
    let deltas: number[] | null = null;
    if (stamped !== null) {
      stamped.sort();
      firstTimestamp = stamped[0];
      maxTimestamp = stamped[stamped.length - 1];
      deltas = messages.map((m) => ((m.timestamp || dateNow) as number) - (firstTimestamp as number));
    }
    const records = new Records(messages, deltas, k.record);

    const header = new Encoder()
      .writeInt16((compression & k.codecMask) | (transactionalId ? TRANSACTIONAL_MASK : 0))
      .writeInt32(messages.length - 1)
      .writeInt64(firstTimestamp)
      .writeInt64(maxTimestamp)
      .writeInt64(producerId === undefined ? Long.fromValue(-1) : producerId)
      .writeInt16(producerEpoch === undefined ? 0 : producerEpoch)
      .writeInt32(firstSequence === undefined ? 0 : firstSequence).buffer;

    let out: Buffer;
    if (compression === k.compressionNone) {
      out = Buffer.allocUnsafe(PREFIX + BODY_HEADER + 4 + records.size);
      header.copy(out, PREFIX);
      out.writeInt32BE(messages.length, PREFIX + BODY_HEADER);
      const end = records.write(out, PREFIX + BODY_HEADER + 4);
      if (end !== out.length) throw new Error(`produce encoder: wrote ${end} of ${out.length} bytes`);
    } else {
      const plain = Buffer.allocUnsafe(records.size);
      records.write(plain, 0);
      const compressed = await k.lookupCodec(compression).compress(encoderOver(Encoder, plain));
      out = Buffer.allocUnsafe(PREFIX + BODY_HEADER + 4 + compressed.length);
      header.copy(out, PREFIX);
      out.writeInt32BE(messages.length, PREFIX + BODY_HEADER);
      compressed.copy(out, PREFIX + BODY_HEADER + 4);
    }
    const batchLength = out.length - 20; // from partitionLeaderEpoch on
    out.writeInt32BE(partition, 0);
    out.writeInt32BE(batchLength + 12, 4);
    out.writeInt32BE(0, 8); // firstOffset: 0
    out.writeInt32BE(0, 12);
    out.writeInt32BE(batchLength, 16);
    out.writeInt32BE(0, 20); // partitionLeaderEpoch
    out[24] = MAGIC_BYTE;
    out.writeUInt32BE(crc32c(out, PREFIX, out.length), 25);
    return out;
  }

  return function produceRequest(args: ProduceArgs) {
    const request = k.original(args);
    const {
      acks,
      timeout,
      transactionalId = null,
      producerId = Long.fromInt(-1),
      producerEpoch = 0,
      compression = k.compressionNone,
      topicData,
    } = args;
    request.encode = async function encodeProduceRequest() {
      const head = new Encoder().writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeInt32(topicData.length).buffer;
      const parts: Buffer[] = [head];
      let size = head.length;
      for (const { topic, partitions } of topicData) {
        const t = new Encoder().writeString(topic).writeInt32(partitions.length).buffer;
        parts.push(t);
        size += t.length;
        for (const p of partitions) {
          const entry = await encodePartition(p, compression, transactionalId, producerId, producerEpoch);
          parts.push(entry);
          size += entry.length;
        }
      }
      return encoderOver(Encoder, Buffer.concat(parts, size));
    };
    return request;
  };
}

interface RequestArgs {
  correlationId: number;
  clientId: string;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
}

/**
 * kafkajs's protocol/request (the frame around every request: size, api key and version,
 * correlation id, client id) copies the payload twice, each time into a zeroed buffer grown by
 * doubling; this writes the same bytes with one copy. On producing, the payload is the batches.
 */
export function makeRequestFramer(Encoder: KafkajsPieces['Encoder']): (a: RequestArgs) => Promise<KafkajsEncoder> {
  return async function encodeRequestFrame({ correlationId, clientId, request: { apiKey, apiVersion, encode } }: RequestArgs) {
    const payload = (await encode()) as KafkajsEncoder | null | undefined;
    if (payload == null || !Buffer.isBuffer(payload.buf)) throw new Error('value should be an instance of Encoder');
    const head = new Encoder().writeInt32(0).writeInt16(apiKey).writeInt16(apiVersion).writeInt32(correlationId).writeString(clientId);
    const body = payload.buffer;
    const out = Buffer.allocUnsafe(head.offset + body.length);
    head.buf.copy(out, 0, 0, head.offset);
    body.copy(out, head.offset);
    out.writeInt32BE(out.length - 4, 0);
    return encoderOver(Encoder, out);
  };
}
