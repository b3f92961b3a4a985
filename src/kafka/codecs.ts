// Compression codecs for kafkajs, which ships only gzip. Pure JavaScript so that sluice installs
// without a compiler: snappy (snappyjs; reads both raw blocks and the xerial framing the Java
// client writes), lz4 (lz4js, the LZ4 frame format Kafka uses since message format v1) and zstd
// (fzstd decompresses; @bokuweb/zstd-wasm compresses, at the Java client's default level 3, and is
// loaded, with its WebAssembly, the first time a message is compressed: Node 20's zlib has no zstd).

import { createRequire } from 'node:module';
import { decompress as zstdDecompress } from 'fzstd';

const require = createRequire(import.meta.url);

interface SnappyJs {
  compress(b: Buffer): Buffer;
  uncompress(b: Buffer): Buffer;
}
interface Lz4Js {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompress(b: Uint8Array): Uint8Array;
}
interface Xxh32 {
  hash(seed: number, src: Uint8Array, index: number, length: number): number;
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

const LZ4_BLOCK = 64 * 1024;

/**
 * An LZ4 frame the way Kafka's Lz4BlockInputStream accepts it: independent blocks (lz4js's own
 * frames are block-dependent, which brokers refuse), 64 KiB blocks, no checksums.
 */
export function lz4Frame(src: Buffer, lz4: Lz4Js, xxh: Xxh32): Buffer {
  const blocks = Math.max(1, Math.ceil(src.length / LZ4_BLOCK));
  const out = Buffer.allocUnsafe(7 + blocks * (4 + lz4.compressBound(LZ4_BLOCK)) + 4);
  out.writeUInt32LE(0x184d2204, 0);
  out[4] = 0x60; // version 01, block independence
  out[5] = 0x40; // max block size 64 KiB
  out[6] = (xxh.hash(0, out, 4, 2) >>> 8) & 0xff;
  let at = 7;
  const table = new Uint32Array(65536);
  const scratch = new Uint8Array(lz4.compressBound(LZ4_BLOCK));
  for (let start = 0; start < src.length; start += LZ4_BLOCK) {
    const len = Math.min(LZ4_BLOCK, src.length - start);
    table.fill(0);
    const size = lz4.compressBlock(src, scratch, start, len, table);
    if (size === 0 || size >= len) {
      out.writeUInt32LE((0x80000000 | len) >>> 0, at);
      src.copy(out, at + 4, start, start + len);
      at += 4 + len;
    } else {
      out.writeUInt32LE(size, at);
      out.set(scratch.subarray(0, size), at + 4);
      at += 4 + size;
    }
  }
  out.writeUInt32LE(0, at);
  return out.subarray(0, at + 4);
}

export function lz4Codec(): KafkaCodec {
  const lz4 = require('lz4js') as Lz4Js;
  const xxh = require('lz4js/xxh32.js') as Xxh32;
  return {
    async compress(encoder) {
      return lz4Frame(encoder.buffer, lz4, xxh);
    },
    async decompress(buffer) {
      return asBuffer(lz4.decompress(buffer));
    },
  };
}

interface ZstdWasm {
  init(): Promise<void>;
  compress(buf: Uint8Array, level?: number): Uint8Array;
}

/** Kafka's and zstd's default level. */
const ZSTD_LEVEL = 3;

let zstdWasm: Promise<ZstdWasm> | null = null;
/** zstd-wasm, initialised once, on first use only. */
function loadZstdWasm(): Promise<ZstdWasm> {
  zstdWasm ??= (async () => {
    const z = require('@bokuweb/zstd-wasm') as ZstdWasm;
    await z.init();
    return z;
  })();
  return zstdWasm;
}

export function zstdCodec(): KafkaCodec {
  return {
    async compress(encoder) {
      const z = await loadZstdWasm();
      return asBuffer(z.compress(encoder.buffer, ZSTD_LEVEL));
    },
    async decompress(buffer) {
      return asBuffer(zstdDecompress(buffer));
    },
  };
}
