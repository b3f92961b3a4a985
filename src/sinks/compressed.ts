// Compressed file output, chosen by the file's extension as gzip and zstd users expect
// (`--to out.ndjson.gz`): .gz through zlib's gzip stream, .zst through zlib's zstd stream where
// Node has one (22.15 and later). Formats sluice reads but does not write (.xz, .bz2, .lz4,
// .zip), and .zst on an older Node, are refused before the first record is read (exit 2)
// rather than written as plain text under a name that says otherwise. zlib loads only when
// such a file is written. flush() syncs the compressor, so what was written before an offset
// commit is in the file, decompressible, at that point.

import * as stream from 'node:stream';
import type { Writable } from 'node:stream';
import { OutputError, UsageError } from '../errors/errors.js';
import { ioReason, openFile, streamSink, type Sink } from './sink.js';

export type OutputCodec = 'gzip' | 'zstd';

const NOT_WRITTEN: Readonly<Record<string, string>> = { xz: 'xz', bz2: 'bzip2', lz4: 'lz4', zip: 'zip' };

/** The compression a --to path asks for by its extension, or null for plain text; a usage error for one sluice cannot write. */
export function outputCodec(path: string, zstdAvailable: boolean): OutputCodec | null {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (ext === 'gz') return 'gzip';
  if (ext === 'zst') {
    if (!zstdAvailable) {
      throw new UsageError(`--to ${path}: writing zstd needs Node 22.15 or later (this is Node ${process.versions.node}); ` +
        `write .gz, or pipe plain output through zstd: sluice ... | zstd > ${path}`);
    }
    return 'zstd';
  }
  const refused = NOT_WRITTEN[ext];
  if (refused !== undefined) {
    throw new UsageError(`--to ${path}: sluice writes .gz and .zst, not ${refused}; ` +
      `pipe plain output through the compressor: sluice ... | ${refused === 'bzip2' ? 'bzip2' : refused === 'zip' ? 'zip -q - -' : refused} > ${path}`);
  }
  return null;
}

/** A file written compressed as its extension says; checked before the file is opened (and emptied). */
export async function compressedFileSink(path: string): Promise<Sink> {
  const zlib = await import('node:zlib');
  const codec = outputCodec(path, typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function');
  const file = await openFile(path);
  if (codec === null) return streamSink(file, { name: `'${path}'`, quietEpipe: false, endStream: true, isTerminal: false });
  return compressedSink(file, codec, path, zlib);
}

/** A text sink that compresses into `file` (already open). */
function compressedSink(file: Writable, codec: OutputCodec, path: string, zlib: typeof import('node:zlib')): Sink {
  const { pipeline } = stream;
  const z = codec === 'gzip'
    ? zlib.createGzip()
    : (zlib as unknown as { createZstdCompress(): ReturnType<typeof zlib.createGzip> }).createZstdCompress();
  // an error writing the file (a full disk) destroys the compressor with it: the inner sink sees it and counts
  const done = new Promise<Error | null>((resolve) => pipeline(z, file, (e) => resolve(e ?? null)));
  const inner = streamSink(z, { name: `'${path}'`, quietEpipe: false, endStream: true, isTerminal: false });
  return {
    kind: 'text',
    write: (text, records) => inner.write(text, records),
    async flush() {
      await inner.flush();
      if (!z.destroyed) await new Promise<void>((resolve) => z.flush(() => resolve()));
    },
    async end() {
      await inner.end();
      const e = await done;
      if (e !== null) throw new OutputError(`writing '${path}' failed at its end: ${ioReason(e)}`, { cause: e });
    },
    get closed() {
      return inner.closed;
    },
    isTerminal: false,
  };
}
