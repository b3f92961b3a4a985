// zstd for writing Kafka messages: @bokuweb/zstd-wasm compresses (Node 20's zlib has no zstd),
// fzstd decompresses; the frames are real zstd (magic 28 b5 2f fd). (That zstd-wasm is not loaded
// at start-up is test/house's check of start-up imports.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zstdCodec } from '../../src/kafka/codecs.js';

describe('zstd codec', () => {
  it('compresses to zstd frames that decompress to the same bytes (random payloads)', async () => {
    const codec = zstdCodec();
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, repetitive) => {
      const input = Buffer.from(repetitive ? Buffer.concat(Array.from({ length: 20 }, () => Buffer.from(bytes))) : bytes);
      const packed = await codec.compress({ buffer: input });
      expect([...packed.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
      expect(Buffer.compare(await codec.decompress(packed), input)).toBe(0);
      if (repetitive && bytes.length > 64) expect(packed.length).toBeLessThan(input.length / 4);
    }), { numRuns: 60 });
  });
});
