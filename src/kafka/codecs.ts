// Compression codecs for kafkajs, which ships only gzip. Pure JavaScript so that sluice installs
// without a compiler: snappy (snappyjs; reads both raw blocks and the xerial framing the Java
// client writes), lz4 (lz4js, the LZ4 frame format Kafka uses since message format v1) and zstd
// (fzstd: decompression only — producing zstd is refused when the sink is created).

import { createRequire } from 'node:module';
import { decompress as zstdDecompress } from 'fzstd';

const require = createRequire(import.meta.url);

interface SnappyJs {
  compress(b: Buffer): Buffer;
  uncompress(b: Buffer): Buffer;
}
interface Lz4Js {
  compress(b: Uint8Array): Uint8Array;
  decompress(b: Uint8Array): Uint8Array;
}

/** What kafkajs expects from a codec: `compress` gets its encoder, `decompress` a buffer. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

const XERIAL = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

export function snappyCodec(): KafkaCodec {
  const snappy = require('snappyjs') as SnappyJs;
  return {
    async compress(encoder) {
      return asBuffer(snappy.compress(encoder.buffer));
    },
    async decompress(buffer) {
      if (buffer.length < 16 || !buffer.subarray(0, 8).equals(XERIAL)) return asBuffer(snappy.uncompress(buffer));
      // xerial framing: 8-byte magic, two 4-byte versions, then [u32 length][raw snappy block]*
      const parts: Buffer[] = [];
      let at = 16;
      while (at + 4 <= buffer.length) {
        const size = buffer.readUInt32BE(at);
        at += 4;
        parts.push(asBuffer(snappy.uncompress(buffer.subarray(at, at + size))));
        at += size;
      }
      return Buffer.concat(parts);
    },
  };
}

export function lz4Codec(): KafkaCodec {
  const lz4 = require('lz4js') as Lz4Js;
  return {
    async compress(encoder) {
      return asBuffer(lz4.compress(encoder.buffer));
    },
    async decompress(buffer) {
      return asBuffer(lz4.decompress(buffer));
    },
  };
}

export class ZstdProductionUnsupported extends Error {}

export function zstdCodec(): KafkaCodec {
  return {
    async compress() {
      throw new ZstdProductionUnsupported('zstd compression is not supported for writing (use gzip, snappy or lz4)');
    },
    async decompress(buffer) {
      return asBuffer(zstdDecompress(buffer));
    },
  };
}
