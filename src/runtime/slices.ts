// Big outputs in bounded slices. A stage's end() may give millions of records at once (sort, an
// aggregate by millions of keys, the windows open at the end of input): they go through the later
// stages, the encoder and the sink a slice at a time, so that no array or string grows with the
// whole output. V8 strings stop at 2^29 characters: one string for the whole output of a 5 M-record
// sort failed with "Invalid string length" and wrote nothing.
//
// The hot path is not touched: a batch decoded from one input chunk (1 MiB of text) is far below
// SLICE records and is encoded in one piece, as before.

import type { Batch } from '../core/event.js';
import type { Flush } from '../operators/types.js';

/** Records per slice of a stage's end() through the later stages; a batch up to this size is encoded whole. */
export const SLICE = 16384;

/** The text one encoded piece aims at: slices of a big batch grow or shrink to about this many characters. */
const PIECE_CHARS = 8 << 20;

/** The batches of a stage's end(), none longer than `size` records. */
export async function* slices(flush: Flush, size = SLICE): AsyncGenerator<Batch> {
  if (Array.isArray(flush)) {
    yield* cut(flush, size);
    return;
  }
  for await (const b of flush as AsyncIterable<Batch>) yield* cut(b, size);
}

function* cut(b: Batch, size: number): Generator<Batch> {
  if (b.length <= size) {
    if (b.length > 0) yield b;
    return;
  }
  for (let i = 0; i < b.length; i += size) yield b.slice(i, i + size);
}

/**
 * Encode a batch and hand the text to `write`: in one piece up to `max` records, else in pieces of
 * about PIECE_CHARS characters (the slice starts at 1024 records and adapts to the records' size).
 */
export async function writeEncoded(b: Batch, encode: (b: Batch) => string, write: (text: string, records: number) => Promise<void>, max = SLICE): Promise<void> {
  if (b.length <= max) {
    await write(encode(b), b.length);
    return;
  }
  let n = Math.min(1024, max);
  for (let i = 0; i < b.length;) {
    const piece = b.slice(i, i + n);
    const text = encode(piece);
    i += piece.length;
    await write(text, piece.length);
    const perRecord = text.length / piece.length || 1;
    n = Math.max(1, Math.floor(PIECE_CHARS / perRecord));
  }
}
