// Byte sources for files and stdin, turned into UTF-8 text chunks. Gzip is recognised by
// its magic bytes (whatever the file is called) and decompressed while streaming. Reads are
// pulled by the executor (for await), so a slow sink pauses the file or pipe: backpressure.

import { createReadStream } from 'node:fs';
import { fstat } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { DataError, UnavailableError } from '../errors/errors.js';

export interface TextInput {
  /** as the user wrote it: a path or '-' */
  name: string;
  /** the path for format detection by extension; null for stdin */
  path: string | null;
  /** UTF-8 text chunks; invalid sequences become U+FFFD */
  chunks(): AsyncIterable<string>;
  /** stop reading (head satisfied, interrupted) */
  close(): void;
}

const CHUNK = 1 << 20;

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

async function* maybeGunzip(name: string, src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest = async function* () {
    yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  };
  if (!isGzip(first.value)) {
    yield* rest();
    return;
  }
  const { createGunzip } = await import('node:zlib');
  const gz = Readable.from(rest()).pipe(createGunzip({ chunkSize: 64 * 1024 }));
  try {
    for await (const b of gz) yield b as Buffer;
  } catch (e) {
    throw new DataError(`${name}: gzip: ${(e as Error).message}`, name);
  }
}

export async function* decodeUtf8(src: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const dec = new StringDecoder('utf8');
  for await (const b of src) {
    const s = dec.write(b);
    if (s.length > 0) yield s;
  }
  const tail = dec.end();
  if (tail.length > 0) yield tail;
}

/** Check that a path can be read, before any input is read (exit 69 when not). */
export async function checkReadable(path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UnavailableError(`cannot read '${path}': it is a directory`);
  } catch (e) {
    if (e instanceof UnavailableError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UnavailableError(`cannot read '${path}': ${why}`);
  }
}

export function fileInput(path: string): TextInput {
  let stream: ReturnType<typeof createReadStream> | null = null;
  return {
    name: path,
    path,
    chunks() {
      stream = createReadStream(path, { highWaterMark: CHUNK });
      return decodeUtf8(maybeGunzip(path, stream as AsyncIterable<Buffer>));
    },
    close() {
      stream?.destroy();
    },
  };
}

export function stdinInput(): TextInput {
  return {
    name: '-',
    path: null,
    chunks() {
      return decodeUtf8(maybeGunzip('(stdin)', process.stdin as AsyncIterable<Buffer>));
    },
    close() {
      process.stdin.destroy();
    },
  };
}

/** Is stdin a regular file (`< file`)? Then it is finite, not live. */
export function stdinIsFile(): Promise<boolean> {
  return new Promise((resolve) => fstat(0, (err, st) => resolve(!err && st.isFile())));
}
