// Byte sources for files and stdin, turned into UTF-8 text chunks. Compression (gzip, zstd) is
// recognised by its magic bytes (whatever the file is called) and decompressed while streaming
// (compression.ts). Reads are
// pulled by the executor (for await), so a slow sink pauses the file or pipe: backpressure.
//
// Every input knows where the text it has yielded ends (position(), for checkpoints) and can
// start again there (resume()). The UTF-8 decoding is done here (Utf8Text) rather than by a
// StringDecoder because the offset must leave out the bytes of a character cut in two at the
// end of a read, which a StringDecoder keeps to itself: they are read again after a restart.

import { isAscii } from 'node:buffer';
import { type createReadStream, fstat } from 'node:fs';
import { access, constants, open, stat, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { UnavailableError, UsageError } from '../errors/errors.js';
import { MAGIC_BYTES, decompress, sniffCodec } from './compression.js';
import { encodingOf, Utf16Text, type Encoding, type TextBytes } from './encoding.js';
import { inputError } from './os-error.js';

/**
 * Where an input is, as plain data for a checkpoint (v8.serialize, JSON).
 *
 * `offset` counts the bytes of the file (of its decompressed content when `gzip`) whose text
 * has been yielded in full: the bytes of a UTF-8 character cut in two by a read are not
 * counted. Text that was yielded but is still held by a decoder (an unfinished line) is
 * counted: the decoder's own snapshot carries it, with the next line number.
 */
export interface InputPosition {
  /** the input as the user gave it: a path, or '-' for stdin */
  path: string;
  /**
   * device and inode (decimal, exact beyond 2^53) of the file the offset is in, which under
   * --follow may be a rotated file no longer at `path`; '' when no file was opened yet or for stdin
   */
  dev: string;
  ino: string;
  /**
   * the file's first bytes as read (hex, up to 64 bytes): tells the file from another that
   * was given its inode after it was deleted, or from the same file rewritten in place
   */
  head: string;
  offset: number;
  /** the content is compressed (gzip or zstd; the name is older than zstd): `offset` counts decompressed bytes, and resume reads from the start and skips them */
  gzip: boolean;
  /** the input was read to its end (a file or stdin; never under --follow); a file may still grow */
  done: boolean;
}

export interface TextInput {
  /** as the user wrote it: a path or '-' */
  name: string;
  /** the path for format detection by extension; null for stdin */
  path: string | null;
  /** text chunks (UTF-8, or UTF-16 by its byte order mark); invalid sequences become U+FFFD */
  chunks(): AsyncIterable<string>;
  /** how many invalid sequences have been replaced with U+FFFD in the text yielded so far */
  replaced?(): number;
  /** Utf8Text.fragments since the last call (lines with replaced characters where the input also has real U+FFFD) */
  replacedLines?(): string[];
  /** stop reading (head satisfied, interrupted) */
  close(): void;
  /** Where the text yielded so far ends in the input: plain data for a checkpoint. */
  position(): InputPosition;
  /**
   * Before chunks() is called: start from a saved position. Returns warnings (the caller
   * prints them as `sluice: warning: …`) for text that could not be read again; throws a
   * UsageError (exit 2) naming what changed when the input is no longer the one saved.
   */
  resume(pos: InputPosition): Promise<string[]>;
}

/** Files, stdin (whose resume does nothing) and --follow: every text input can be checkpointed. */
export type ResumableInput = TextInput;

/** Bytes per read. */
export const CHUNK = 1 << 20;

/**
 * Bytes per text chunk: a read is turned into text, and reaches the decoder, in pieces of at most
 * this size. V8 puts a string of more than 128 KiB into its large-object space (fresh pages for each,
 * freed only by a full collection): with text chunks of a megabyte, `where status >= 500` over 1M
 * events took a fifth more CPU and 15 MB more peak memory than with pieces of 120 KiB, which are
 * allocated like any other string. (Node makes the Latin-1 text of a megabyte an external string
 * instead: as fast, but 15 to 30 MB more memory.)
 */
export const TEXT_PIECE = 120 * 1024;

/** How many first bytes of a file a position keeps (InputPosition.head). */
export const HEAD_BYTES = 64;

/**
 * Decompress when the first bytes say so (gzip, zstd; other codecs are refused by name), unless
 * `compressed` is false (a plain file resumed); `found` learns whether it was compressed before
 * the first bytes come out.
 */
async function* maybeDecompress(name: string, src: AsyncIterable<Buffer>, compressed: boolean | null, found: (compressed: boolean) => void): AsyncGenerator<Buffer> {
  // enough first bytes to tell every codec (a pipe may deliver fewer at first)
  const { head, rest } = await firstBytes(src, MAGIC_BYTES);
  if (head === null) return;
  const codec = compressed === false ? null : sniffCodec(head);
  found(codec !== null);
  if (codec === null) yield* rest;
  else yield* decompress(name, codec, rest);
}

/**
 * At least `n` first bytes of `src` (fewer when it ends sooner; null when it is empty), and the
 * whole stream again, those bytes included.
 */
async function firstBytes(src: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer | null; rest: AsyncGenerator<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  let head: Buffer | null = null;
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    head = head === null ? next.value : Buffer.concat([head, next.value]);
    if (head.length >= n) break;
  }
  const first = head;
  const rest = async function* () {
    if (first !== null) yield first;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  };
  return { head, rest: rest() };
}

/**
 * The number of bytes at the end of `b` that may be the start of a character still to be
 * completed by the next bytes (0 to 3). Cutting before them is safe: a decoder never joins a
 * byte that does not continue a character (below 0x80 or from 0xC0) to the bytes before it.
 */
function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i]!;
    if (c < 0x80) return 0;
    if (c >= 0xc0) {
      const need = c >= 0xf5 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 1;
      return n - i < need ? n - i : 0;
    }
  }
  return 0; // a lead byte further back has all its continuation bytes
}

/**
 * Bytes to UTF-8 text, holding back a character cut in two at the end of a read until the
 * next one completes it. The text of any cutting equals the text of the whole (U+FFFD for
 * invalid bytes, as TextDecoder and Buffer#toString give it), and `bytes` says how many
 * bytes the text returned so far came from.
 */
export class Utf8Text implements TextBytes {
  /** bytes behind the text returned so far */
  bytes = 0;
  /** invalid sequences replaced with U+FFFD so far (a U+FFFD in the input is not counted) */
  replaced = 0;
  private carry: Buffer | null = null;

  /** bytes pushed but not yet turned into text (0 to 3) */
  get held(): number {
    return this.carry === null ? 0 : this.carry.length;
  }

  push(b: Buffer): string {
    // the common read: all ASCII (one native scan), whose UTF-8 text is its Latin-1 text, which
    // is cheaper to make; nothing to hold back, nothing replaced
    if (this.carry === null && isAscii(b)) {
      this.bytes += b.length;
      return b.toString('latin1');
    }
    const buf = this.carry === null ? b : Buffer.concat([this.carry, b]);
    const upto = buf.length - incompleteTail(buf);
    this.carry = upto < buf.length ? Buffer.from(buf.subarray(upto)) : null;
    this.bytes += upto;
    if (upto === 0) return '';
    const s = buf.toString('utf8', 0, upto);
    // one fast scan per read; the exact count only when there is a U+FFFD at all
    if (s.indexOf('\ufffd') >= 0) this.count(s, buf.subarray(0, upto));
    return s;
  }

  /**
   * In reads that hold U+FFFD characters of the input (EF BF BD) as well as replaced ones: the
   * text of the line around each replaced one (as far as the read holds it), which tells the
   * records with invalid UTF-8 from those with a real U+FFFD. Taken by the caller.
   */
  fragments: string[] = [];

  private count(s: string, b: Buffer): void {
    let all = 0;
    for (let i = s.indexOf('\ufffd'); i >= 0; i = s.indexOf('\ufffd', i + 1)) all++;
    const real: number[] = [];
    for (let i = b.indexOf(FFFD); i >= 0; i = b.indexOf(FFFD, i + 3)) real.push(i);
    this.replaced += all - real.length;
    if (real.length === 0 || all === real.length) return;
    // decoded piece by piece between the real ones (cut at whole characters, the text is the same),
    // every U+FFFD of a piece is a replaced one
    let at = 0;
    let from = 0;
    for (const r of [...real, b.length]) {
      const piece = b.toString('utf8', from, r);
      for (let j = piece.indexOf('\ufffd'); j >= 0; j = piece.indexOf('\ufffd', j + 1)) {
        const i = at + j;
        const end = s.indexOf('\n', i);
        this.fragments.push(s.slice(s.lastIndexOf('\n', i) + 1, end < 0 ? s.length : end).replace(/\r$/, ''));
      }
      at += piece.length + 1;
      from = r + 3;
    }
  }

  /** End of the bytes: a character left incomplete becomes U+FFFD. */
  end(): string {
    if (this.carry === null) return '';
    const s = this.carry.toString('utf8');
    this.bytes += this.carry.length;
    this.replaced += s.length; // only replacements: the bytes were an incomplete character
    this.carry = null;
    return s;
  }
}

const FFFD = Buffer.from([0xef, 0xbf, 0xbd]);

/** Text chunks of a byte stream, decoded by `text()` (which may change until the first bytes pass; an incomplete character at the end becomes U+FFFD). */
export async function* decodeText(src: AsyncIterable<Buffer>, text: () => TextBytes): AsyncGenerator<string> {
  for await (const b of src) {
    for (let at = 0; at < b.length; at += TEXT_PIECE) {
      const s = text().push(b.length <= TEXT_PIECE ? b : b.subarray(at, at + TEXT_PIECE));
      if (s.length > 0) yield s;
    }
  }
  const tail = text().end();
  if (tail.length > 0) yield tail;
}

/** UTF-8 text chunks of a byte stream (an incomplete character at the end becomes U+FFFD). */
export function decodeUtf8(src: AsyncIterable<Buffer>, text = new Utf8Text()): AsyncGenerator<string> {
  return decodeText(src, () => text);
}

/**
 * The bytes of `src` unchanged, having told `found` the encoding that their first bytes (a byte
 * order mark) say, or `known` when it is known already (a file resumed mid-way).
 */
async function* sniffEncoding(name: string, src: AsyncIterable<Buffer>, known: Encoding | null, found: (e: Encoding) => void): AsyncGenerator<Buffer> {
  if (known !== null) {
    found(known);
    yield* src;
    return;
  }
  const { head, rest } = await firstBytes(src, 4);
  if (head === null) return;
  found(encodingOf(name, head));
  yield* rest;
}

/** The first bytes of a file as they are read, for InputPosition.head. */
export class FirstBytes {
  private bytes: Buffer;

  constructor(hex = '') {
    this.bytes = Buffer.from(hex, 'hex');
  }

  /** Note `b`, read at file position `at`. */
  take(b: Uint8Array, at: number): void {
    const have = this.bytes.length;
    if (have >= HEAD_BYTES || at > have || at + b.length <= have) return;
    this.bytes = Buffer.concat([this.bytes, b.subarray(have - at, HEAD_BYTES - at)]);
  }

  hex(): string {
    return this.bytes.toString('hex');
  }
}

/** Does the file start with the bytes of `head` (hex)? */
export async function startsWith(fh: FileHandle, head: string): Promise<boolean> {
  const want = Buffer.from(head, 'hex');
  if (want.length === 0) return true;
  const got = Buffer.alloc(want.length);
  const { bytesRead } = await fh.read(got, 0, want.length, 0);
  return bytesRead === want.length && got.equals(want);
}

/** The same file (device and inode) as a saved position's? */
export function sameFile(st: BigIntStats, pos: InputPosition): boolean {
  return String(st.dev) === pos.dev && String(st.ino) === pos.ino;
}

/** A position before anything was read. */
export function startPosition(path: string): InputPosition {
  return { path, dev: '', ino: '', head: '', offset: 0, gzip: false, done: false };
}

/** Check that a position was saved for this input. */
export function checkPath(path: string, pos: InputPosition): void {
  if (pos.path !== path) throw new UsageError(`the saved state is for input '${pos.path}', not '${path}': delete the state file to start afresh`);
}

const AFRESH = 'delete the state file to start afresh';

/** Check that a path can be read, before any input is read (exit 69 when not). */
export async function checkReadable(path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UnavailableError(`cannot read '${path}': it is a directory`);
    await access(path, constants.R_OK);
  } catch (e) {
    throw inputError(path, e);
  }
}

/**
 * A file, read once to its end. Resumes at the saved offset (reading what was appended
 * since); refuses another file at the path or one shorter than the offset. A gzip file
 * resumes by reading from the start and skipping the decompressed bytes already read.
 */
export function fileInput(path: string, chunkSize = CHUNK): ResumableInput {
  let fh: FileHandle | null = null;
  let stream: ReturnType<typeof createReadStream> | null = null;
  let closed = false;
  let dev = '';
  let ino = '';
  let first = new FirstBytes();
  let gzip: boolean | null = null; // null: not known yet (detected from the first bytes)
  let start = 0; // raw byte to start reading at (a plain file resumed)
  let skip = 0; // decompressed bytes to skip (a gzip file resumed)
  let base = 0; // offset of the first byte that goes into `text`
  let done = false;
  let encoding: Encoding | null = null; // known before reading only for a plain file resumed mid-way
  let text: TextBytes = new Utf8Text();

  async function openFile(): Promise<FileHandle> {
    const f = await open(path, 'r');
    const st = await f.stat({ bigint: true });
    dev = String(st.dev);
    ino = String(st.ino);
    return f;
  }

  /** The raw bytes from `start`, noting the file's first bytes as they pass. */
  async function* raw(f: FileHandle): AsyncGenerator<Buffer> {
    stream = f.createReadStream({ start, highWaterMark: chunkSize, autoClose: true });
    let at = start;
    for await (const b of stream as AsyncIterable<Buffer>) {
      first.take(b, at);
      at += b.length;
      yield b;
    }
  }

  /** Drop the first `skip` bytes (a resumed gzip file); fail when there are fewer. */
  async function* skipped(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (let b of src) {
      if (skip > 0) {
        if (b.length <= skip) {
          skip -= b.length;
          continue;
        }
        b = b.subarray(skip);
        skip = 0;
      }
      yield b;
    }
    if (skip > 0) {
      throw new UsageError(`'${path}' holds ${base - skip} bytes once decompressed, fewer than where the saved state left it (${base}): it was rewritten; ${AFRESH}`);
    }
  }

  async function* chunks(): AsyncGenerator<string> {
    try {
      const f = fh ?? (await openFile());
      fh = f;
      if (closed) {
        await f.close();
        return;
      }
      const atStart = start === 0 && skip === 0;
      const bytes = sniffEncoding(path, maybeDecompress(path, raw(f), gzip, (gz) => { gzip = gz; }), encoding, (e) => {
        if (e !== 'utf-8') text = new Utf16Text(e, atStart);
      });
      yield* decodeText(skip > 0 ? skipped(bytes) : bytes, () => text);
      done = true;
    } catch (e) {
      throw inputError(path, e);
    }
  }

  return {
    name: path,
    path,
    chunks,
    close() {
      closed = true;
      if (stream !== null) stream.destroy();
      else void fh?.close().catch(() => undefined);
    },
    position: () => ({ path, dev, ino, head: first.hex(), offset: base + text.bytes, gzip: gzip === true, done }),
    replaced: () => text.replaced,
    replacedLines: () => text.fragments.splice(0),
    async resume(pos) {
      checkPath(path, pos);
      if (pos.ino === '') return []; // nothing had been read
      const f = await openFile().catch((e: unknown) => { throw inputError(path, e); });
      const refuse = async (why: string): Promise<never> => {
        await f.close();
        throw new UsageError(`'${path}' ${why}; ${AFRESH}`);
      };
      const st = await f.stat({ bigint: true });
      if (!sameFile(st, pos)) {
        await refuse(`is not the file the saved state was read from (inode ${pos.ino} on device ${pos.dev}, now inode ${st.ino} on device ${st.dev})`);
      }
      if (!pos.gzip && st.size < BigInt(pos.offset)) {
        await refuse(`is shorter (${st.size} bytes) than where the saved state left it (byte ${pos.offset}): it was truncated or rewritten`);
      }
      if (!(await startsWith(f, pos.head))) {
        await refuse('does not start with the bytes it started with when the state was saved: it was rewritten');
      }
      fh = f;
      if (pos.offset === 0) return [];
      gzip = pos.gzip;
      base = pos.offset;
      if (pos.gzip) {
        skip = pos.offset; // read from the start (first bytes noted again)
      } else {
        start = pos.offset;
        first = new FirstBytes(pos.head);
        encoding = encodingOf(path, Buffer.from(pos.head, 'hex'));
      }
      return [];
    },
  };
}

/** stdin: position() counts the bytes read (decompressed when gzip); resume() does nothing, as a pipe cannot be read again. */
export function stdinInput(): ResumableInput {
  let gzip = false;
  let done = false;
  let text: TextBytes = new Utf8Text();
  async function* chunks(): AsyncGenerator<string> {
    try {
      // Node ends a directory on stdin (`< dir`) quietly, as if it were empty
      if (await new Promise<boolean>((resolve) => fstat(0, (err, st) => resolve(!err && st.isDirectory())))) {
        throw new UnavailableError('cannot read stdin: it is a directory');
      }
      const bytes = maybeDecompress('(stdin)', process.stdin as AsyncIterable<Buffer>, null, (gz) => { gzip = gz; });
      yield* decodeText(sniffEncoding('(stdin)', bytes, null, (e) => { if (e !== 'utf-8') text = new Utf16Text(e); }), () => text);
      done = true;
    } catch (e) {
      throw inputError('-', e);
    }
  }
  return {
    name: '-',
    path: null,
    chunks,
    close() {
      process.stdin.destroy();
    },
    position: () => ({ path: '-', dev: '', ino: '', head: '', offset: text.bytes, gzip, done }),
    replaced: () => text.replaced,
    replacedLines: () => text.fragments.splice(0),
    resume: async () => [],
  };
}

/** Is stdin a regular file (`< file`)? Then it is finite, not live. */
export function stdinIsFile(): Promise<boolean> {
  return new Promise((resolve) => fstat(0, (err, st) => resolve(!err && st.isFile())));
}
