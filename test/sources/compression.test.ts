// Compressed inputs: magic bytes, gzip framed by hand (members, padding, trailing garbage,
// truncation, checksums) and zstd, each checked against the original bytes however the
// compressed data is cut into chunks.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataError } from '../../src/errors/errors.js';
import { decompress, sniffCodec, type Codec } from '../../src/sources/compression.js';

async function* chunked(b: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = Math.max(1, sizes.length === 0 ? b.length : sizes[k++ % sizes.length]!);
    yield b.subarray(i, i + n);
    i += n;
  }
}

/** Everything `decompress` yields, and the error it ends with (null when none). */
async function run(codec: Codec, b: Buffer, sizes: number[] = []): Promise<{ out: Buffer; err: DataError | null }> {
  const parts: Buffer[] = [];
  try {
    for await (const p of decompress('f', codec, chunked(b, sizes))) parts.push(Buffer.from(p));
    return { out: Buffer.concat(parts), err: null };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { out: Buffer.concat(parts), err: e };
  }
}

/** Made by the zstd and xz commands from lines(2000) and lines(20) (Node has no compressor for either). */
const zstdFixture = (n: number) => readFileSync(join(__dirname, 'fixtures', `lines-${n}.zst`));
const xzFixture = () => readFileSync(join(__dirname, 'fixtures', 'lines-2000.xz'));

const lines = (n: number, from = 1) => Buffer.from(Array.from({ length: n }, (_, i) => `{"n":${from + i},"pad":"${'x'.repeat((from + i) % 50)}"}\n`).join(''));

describe('sniffCodec', () => {
  it.each([
    ['gzip', [0x1f, 0x8b, 8, 0]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0]],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['lz4', [0x04, 0x22, 0x4d, 0x18, 0, 0]],
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0, 0]],
  ])('%s by its magic bytes', (codec, bytes) => {
    expect(sniffCodec(Uint8Array.from(bytes))).toBe(codec);
  });

  it('text is not compressed, even when it starts like a codec name', () => {
    for (const t of ['{"a":1}\n', 'BZh is not bzip2', 'PK', '', 'a,b\n1,2\n']) expect(sniffCodec(Buffer.from(t))).toBeNull();
  });
});

describe('gzip', () => {
  it('gives the original bytes of one or more members however the input is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 5 }), async (members, sizes) => {
        const gz = Buffer.concat(members.map((m) => gzipSync(m)));
        const { out, err } = await run('gzip', gz, sizes);
        expect(err).toBeNull();
        expect(out.equals(Buffer.concat(members))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('reads a header with a name, a comment and an extra field', async () => {
    const data = lines(30);
    const header = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3]), Buffer.from('name.ndjson\0a comment\0')]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data), 0);
    trailer.writeUInt32LE(data.length, 4);
    const { out, err } = await run('gzip', Buffer.concat([header, deflateRawSync(data), trailer]), [7]);
    expect(err).toBeNull();
    expect(out.equals(data)).toBe(true);
  });

  it('zero padding after the last member is allowed, as gzip -d allows it', async () => {
    const { out, err } = await run('gzip', Buffer.concat([gzipSync(lines(5)), Buffer.alloc(512)]), [100]);
    expect(err).toBeNull();
    expect(out.equals(lines(5))).toBe(true);
  });

  it('trailing garbage: every record before it is delivered, then bad input naming the line, the byte and the size', async () => {
    const gz = gzipSync(lines(20));
    for (const garbage of ['garbage here\n', '\x1f\x8bjunkjunk']) {
      const { out, err } = await run('gzip', Buffer.concat([gz, Buffer.from(garbage, 'latin1')]), [50]);
      expect(out.equals(lines(20))).toBe(true);
      expect(err?.where).toBe('f:21');
      expect(err?.message).toBe(`f:21: gzip: ${garbage.length} bytes of trailing garbage after the compressed data (at byte ${gz.length}); 20 complete lines were read before it`);
    }
  });

  it('truncated: what decompressed is delivered, and the error says how many lines were read', async () => {
    const data = lines(3000);
    const gz = gzipSync(data);
    const { out, err } = await run('gzip', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(data.subarray(0, out.length).equals(out)).toBe(true);
    const complete = out.toString().split('\n').length - 1;
    expect(complete).toBeGreaterThan(100);
    expect(err?.where).toBe(`f:${complete + 1}`);
    expect(err?.message).toMatch(new RegExp(`^f:${complete + 1}: gzip: unexpected end of file \\(the data is truncated; ${complete} complete lines were read(; line ${complete + 1} is cut short)?\\)$`));
  });

  it('truncated in the trailer or the header of a second member', async () => {
    const gz = gzipSync(lines(4));
    expect((await run('gzip', gz.subarray(0, gz.length - 3))).err?.message).toBe('f:5: gzip: unexpected end of file in the trailer (the data is truncated; 4 complete lines were read)');
    expect((await run('gzip', Buffer.concat([gz, gz.subarray(0, 5)]))).err?.message).toBe(
      "f:5: gzip: unexpected end of file in a member's header (the data is truncated; 4 complete lines were read)",
    );
  });

  it('a corrupt member fails its checksum', async () => {
    const gz = Buffer.from(gzipSync(lines(4)));
    gz.writeUInt32LE(gz.readUInt32LE(gz.length - 8) ^ 1, gz.length - 8);
    const { out, err } = await run('gzip', gz);
    expect(out.equals(lines(4))).toBe(true);
    expect(err?.message).toBe('f:5: gzip: checksum mismatch at the end of member 1: the data is corrupt (4 complete lines were read)');
  });
});

describe('zstd', () => {
  it('gives the original bytes however the input is cut', async () => {
    const data = lines(2000);
    const zst = zstdFixture(2000);
    for (const sizes of [[], [1], [13, 7000], [65537]]) {
      const { out, err } = await run('zstd', zst, sizes);
      expect(err).toBeNull();
      expect(out.equals(data)).toBe(true);
    }
  });

  it('truncated or corrupt: bad input that says how far it got', async () => {
    const zst = zstdFixture(20);
    expect((await run('zstd', zst.subarray(0, zst.length >> 1))).err?.message).toBe('f:1: zstd: unexpected end of file (the data is truncated; 0 complete lines were read)');
    const { out, err } = await run('zstd', Buffer.concat([zst, Buffer.from('garbage\n')]));
    expect(out.equals(lines(20))).toBe(true);
    expect(err?.message).toBe('f:21: zstd: invalid zstd data (the data is corrupt; 20 complete lines were read)');
  });
});

describe('xz', () => {
  it('gives the original bytes however the input is cut', async () => {
    for (const sizes of [[], [1], [13, 700]]) {
      const { out, err } = await run('xz', xzFixture(), sizes);
      expect(err).toBeNull();
      expect(out.equals(lines(2000))).toBe(true);
    }
  });

  it('truncated, followed by garbage or corrupt: bad input that says how far it got', async () => {
    const xz = xzFixture();
    const cut = await run('xz', xz.subarray(0, xz.length >> 1));
    const complete = cut.out.toString().split('\n').length - 1;
    expect(lines(2000).subarray(0, cut.out.length).equals(cut.out)).toBe(true);
    expect(cut.err?.message).toMatch(new RegExp(`^f:${complete + 1}: xz: unexpected end of file \\(the data is truncated, or followed by garbage\\) \\(${complete} complete lines`));
    const junk = await run('xz', Buffer.concat([xz, Buffer.from('junk\n')]));
    expect(junk.out.equals(lines(2000))).toBe(true);
    expect(junk.err?.message).toBe('f:2001: xz: unexpected end of file (the data is truncated, or followed by garbage) (2000 complete lines were read)');
    expect((await run('xz', Buffer.from('\xfd7zXZ\x00garbage', 'latin1'))).err?.message).toBe('f:1: xz: the data is corrupt (0 complete lines were read)');
  });
});

describe('refused codecs', () => {
  it.each([
    ['bzip2', 'bzip2 -dc f'],
    ['lz4', 'lz4 -dc f'],
    ['zip', 'unzip -p f'],
  ] as const)('%s is refused, naming the format and how to decompress it', async (codec, cmd) => {
    const { err } = await run(codec, Buffer.from('whatever'));
    expect(err?.message).toBe(`f: ${codec}-compressed input is not supported (sluice decompresses gzip, zstd and xz): decompress it first, e.g. \`${cmd} | sluice ...\``);
  });
});
