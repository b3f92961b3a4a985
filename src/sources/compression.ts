// Compressed inputs, recognised by their magic bytes whatever the file is called. gzip, zstd and
// xz are decompressed while streaming (xz by xz-decompress, xz-embedded in WebAssembly, about
// 15 MB/s); bzip2, lz4 and zip are refused with a message that names the format and says how to
// decompress it, rather than read as text (no streaming bzip2 decoder on npm is both small and
// kept up).
//
// gzip is framed here (header, raw deflate through zlib, CRC-32 and size trailer) rather than
// by zlib's gunzip stream, which on trailing garbage throws away the last output it produced
// (every record of a small file) and cannot say where the garbage starts. Like `gzip -d`, every
// member is read, zero padding after the last is ignored, and anything else after it is bad
// input reported once the good data has been delivered. zlib, fzstd and xz-decompress load only
// when used.

import { DataError } from '../errors/errors.js';

export type Codec = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'lz4' | 'zip';

/** Bytes needed to tell every codec: xz's magic is the longest. */
export const MAGIC_BYTES = 6;

/** The compression of data starting with `b`, or null for anything else (text). */
export function sniffCodec(b: Uint8Array): Codec | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, j) => b[i + j] === x);
  if (at(0, 0x1f, 0x8b)) return 'gzip';
  if (at(0, 0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (at(0, 0x42, 0x5a, 0x68) && b.length > 3 && b[3]! >= 0x31 && b[3]! <= 0x39) return 'bzip2';
  if (at(0, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (at(0, 0x04, 0x22, 0x4d, 0x18)) return 'lz4';
  if (at(0, 0x50, 0x4b, 0x03, 0x04)) return 'zip';
  return null;
}

const REFUSED: Readonly<Record<string, string>> = {
  bzip2: 'bzip2 -dc',
  lz4: 'lz4 -dc',
  zip: 'unzip -p',
};

/** Counts the lines of the decompressed text, so that an error can say how far it got. */
class Progress {
  lines = 0;
  bytes = 0;
  lastNewline = true;

  see(b: Uint8Array): void {
    this.bytes += b.length;
    if (b.length === 0) return;
    let i = -1;
    while ((i = b.indexOf(10, i + 1)) >= 0) this.lines++;
    this.lastNewline = b[b.length - 1] === 10;
  }

  /** `NAME:LINE` of the first line not read in full: where the data stops. */
  where(name: string): string {
    return `${name}:${this.lines + 1}`;
  }

  read(): string {
    const n = this.lines;
    const whole = `${n} complete line${n === 1 ? '' : 's'} ${n === 1 ? 'was' : 'were'} read`;
    return this.lastNewline ? whole : `${whole}; line ${n + 1} is cut short`;
  }
}

function badData(name: string, where: string, reason: string): DataError {
  return new DataError(`${where}: ${reason}`, where === '' ? name : where);
}

/**
 * The decompressed bytes of `src` (whose first bytes are `codec`'s). Bad or truncated data is a
 * DataError (exit 65 under --on-error fail) after everything before it has been delivered, with
 * the line it stops in and how many lines were read; an unsupported codec is refused at once.
 */
export async function* decompress(name: string, codec: Codec, src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const how = REFUSED[codec];
  if (how !== undefined) {
    const cmd = name === '(stdin)' ? `${how.split(' ')[0]} -dc | sluice ...` : `${how} ${name} | sluice ...`;
    throw badData(name, name, `${codec}-compressed input is not supported (sluice decompresses gzip, zstd and xz): decompress it first, e.g. \`${cmd}\``);
  }
  const progress = new Progress();
  const gen = codec === 'gzip' ? gunzip(name, src, progress) : codec === 'xz' ? unxz(name, src, progress) : unzstd(name, src, progress);
  for await (const b of gen) {
    progress.see(b);
    yield b;
  }
}

/** Incoming bytes with the ability to give back what was not consumed. */
class ByteQueue {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  /** compressed bytes consumed before `buf` */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  get length(): number {
    return this.buf.length;
  }

  /** Read more; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const n = await this.it.next();
    if (n.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? n.value : Buffer.concat([this.buf, n.value]);
    return true;
  }

  /** At least `n` bytes buffered (false when the input ends first). */
  async need(n: number): Promise<boolean> {
    while (this.buf.length < n) if (!(await this.more())) return false;
    return true;
  }

  /** Drop the rest of the input; how many bytes it had. */
  async drain(): Promise<number> {
    let n = this.buf.length;
    this.buf = Buffer.alloc(0);
    for (;;) {
      const r = await this.it.next();
      if (r.done) return n;
      n += r.value.length;
    }
  }

  peek(): Buffer {
    return this.buf;
  }

  take(n: number): Buffer {
    const b = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.offset += n;
    return b;
  }
}

const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const FHCRC = 2;

/** The length of the gzip member header at the start of `b`; 0 when more bytes are needed; -1 when it is not one. */
function headerLength(b: Buffer): number {
  if (b.length < 10) return 0;
  if (b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return -1;
  const flags = b[3]!;
  let i = 10;
  if (flags & FEXTRA) {
    if (b.length < i + 2) return 0;
    i += 2 + b.readUInt16LE(i);
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const z = b.indexOf(0, i);
      if (z < 0) return 0;
      i = z + 1;
    }
  }
  if (flags & FHCRC) i += 2;
  return b.length < i ? 0 : i;
}

/** Only zero bytes from here to the end of the input (which they are taken from)? */
async function zerosToEnd(q: ByteQueue): Promise<boolean> {
  for (;;) {
    if (!q.peek().every((x) => x === 0)) return false;
    q.take(q.length);
    if (!(await q.more())) return true;
  }
}

/** Write slices of at most this many compressed bytes, so that one write's output stays small. */
const SLICE = 64 * 1024;

async function* gunzip(name: string, src: AsyncIterable<Buffer>, progress: Progress): AsyncGenerator<Buffer> {
  const zlib = await import('node:zlib');
  const q = new ByteQueue(src[Symbol.asyncIterator]());
  for (let member = 0; ; member++) {
    // header (or the end, padding or garbage after a member)
    let len = 0;
    while ((len = headerLength(q.peek())) === 0) {
      if (!(await q.more())) break;
    }
    if (len <= 0) {
      // zero padding (tar, dd) after the last member is allowed, as gzip -d allows it
      if (member > 0 && (await zerosToEnd(q))) return;
      if (len === 0) {
        throw badData(name, progress.where(name), `gzip: unexpected end of file in a member's header (the data is truncated; ${progress.read()})`);
      }
      const at = q.offset;
      const garbage = await q.drain(); // to the end, to say how much there is
      const what = member === 0 ? 'not gzip data' : `${garbage} bytes of trailing garbage after the compressed data`;
      throw badData(name, progress.where(name), `gzip: ${what} (at byte ${at}); ${progress.read()} before it`);
    }
    q.take(len);
    // body: raw deflate, which stops at its own end and says how much input it used
    const inflate = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    const out: Buffer[] = [];
    let failure: Error | null = null;
    let ended = false;
    inflate.on('data', (b: Buffer) => out.push(b));
    inflate.on('error', (e: Error) => { failure = e; });
    inflate.on('end', () => { ended = true; });
    let crc = 0;
    let size = 0;
    try {
      for (;;) {
        if (q.length === 0 && !(await q.more())) {
          throw badData(name, progress.where(name), `gzip: unexpected end of file (the data is truncated; ${progress.read()})`);
        }
        const piece = q.peek().subarray(0, SLICE);
        const before = inflate.bytesWritten;
        await new Promise<void>((resolve) => inflate.write(piece, () => resolve()));
        if (failure === null) await new Promise<void>((resolve) => setImmediate(resolve)); // let 'end' come
        if (failure !== null) {
          throw badData(name, progress.where(name), `gzip: ${(failure as Error).message} (at byte ${q.offset}; ${progress.read()} before it)`);
        }
        q.take(inflate.bytesWritten - before);
        for (const b of out) {
          crc = zlib.crc32(b, crc);
          size += b.length;
          yield b;
        }
        out.length = 0;
        if (ended) break;
      }
    } finally {
      inflate.destroy();
    }
    // trailer: CRC-32 and size of the member's data
    if (!(await q.need(8))) {
      throw badData(name, progress.where(name), `gzip: unexpected end of file in the trailer (the data is truncated; ${progress.read()})`);
    }
    const trailer = q.take(8);
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== size % 2 ** 32) {
      throw badData(name, progress.where(name), `gzip: checksum mismatch at the end of member ${member + 1}: the data is corrupt (${progress.read()})`);
    }
  }
}

async function* unzstd(name: string, src: AsyncIterable<Buffer>, progress: Progress): AsyncGenerator<Buffer> {
  const { Decompress } = await import('fzstd');
  const out: Uint8Array[] = [];
  const z = new Decompress((b) => { out.push(b); });
  const fail = (e: unknown): DataError => {
    const truncated = (e as { code?: number }).code === 5; // ZstdErrorCode.UnexpectedEOF
    return badData(name, progress.where(name), `zstd: ${truncated ? 'unexpected end of file (the data is truncated' : `${(e as Error).message} (the data is corrupt`}; ${progress.read()})`);
  };
  for await (const b of src) {
    for (let i = 0; i < b.length; i += SLICE) {
      try {
        z.push(b.subarray(i, i + SLICE));
      } catch (e) {
        throw fail(e);
      }
      for (const o of out) yield Buffer.from(o.buffer, o.byteOffset, o.byteLength);
      out.length = 0;
    }
  }
  try {
    z.push(new Uint8Array(0), true);
  } catch (e) {
    throw fail(e);
  }
  for (const o of out) yield Buffer.from(o.buffer, o.byteOffset, o.byteLength);
}

/** xz-embedded's results (xz.h) that are errors, in words. */
const XZ_ERRORS: Readonly<Record<string, string>> = {
  2: 'unsupported integrity check',
  3: 'out of memory',
  4: 'the dictionary is larger than allowed',
  5: 'not xz data',
  6: 'unsupported options in the header',
  7: 'the data is corrupt',
  8: 'unexpected end of file (the data is truncated, or followed by garbage)',
};

async function* unxz(name: string, src: AsyncIterable<Buffer>, progress: Progress): AsyncGenerator<Buffer> {
  const [{ Readable }, mod] = await Promise.all([import('node:stream'), import('xz-decompress')]);
  // a CommonJS module: its exports are the default export under Node, named ones under a bundler
  type Xz = typeof mod.XzReadableStream;
  const m = mod as unknown as { default?: { XzReadableStream: Xz }; XzReadableStream?: Xz };
  const XzReadableStream = (m.default?.XzReadableStream ?? m.XzReadableStream)!;
  const compressed = Readable.toWeb(Readable.from(src)) as ReadableStream<Uint8Array>;
  try {
    for await (const b of new XzReadableStream(compressed) as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = /error code (\d+)/.exec((e as Error).message)?.[1];
    if (code === undefined) throw e; // a read error: not the data's
    throw badData(name, progress.where(name), `xz: ${XZ_ERRORS[code] ?? `error ${code}`} (${progress.read()})`);
  }
}
