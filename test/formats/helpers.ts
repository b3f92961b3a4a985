// Test helpers: run a decoder over a text split at chosen points, and collect what it gives.

import fc from 'fast-check';
import type { Event, Value } from '../../src/core/event.js';
import { makeEvent } from '../../src/core/event.js';
import type { DecodeOptions, DecoderFactory, Encoder } from '../../src/formats/types.js';

export interface Decoded {
  events: { value: Value; line: number; raw: string | undefined }[];
  bad: { raw: string; reason: string; line: number }[];
}

export const SOURCE = { name: 'test.in' };

/** Decode `text` fed as the pieces between the given cut points (default: one chunk). */
export function decode(factory: DecoderFactory, text: string, opts: Partial<DecodeOptions> = {}, cuts: number[] = []): Decoded {
  const result: Decoded = { events: [], bad: [] };
  const dec = factory(SOURCE, { infer: true, ...opts }, (raw, reason, line) => result.bad.push({ raw, reason, line }), () => 1000);
  const out: Event[] = [];
  const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, text.length]) {
    dec.write(text.slice(prev, p), out);
    prev = p;
  }
  dec.end(out);
  for (const ev of out) {
    if (ev.source !== SOURCE || ev.timestamp !== 1000) throw new Error('event lost its source or time');
    result.events.push({ value: ev.value, line: ev.line, raw: ev.raw });
  }
  return result;
}

/** Cut points that make every chunk `size` long. */
export function everyN(text: string, size: number): number[] {
  const cuts: number[] = [];
  for (let i = size; i < text.length; i += size) cuts.push(i);
  return cuts;
}

export function values(d: Decoded): Value[] {
  return d.events.map((e) => e.value);
}

export function ev(value: Value, line = 1): Event {
  return makeEvent(value, undefined, SOURCE, line, 0);
}

/** Encode records in batches of `batchSize` and return all the text. */
export function encode(enc: Encoder, vals: Value[], batchSize = 3): string {
  let text = '';
  for (let i = 0; i < vals.length; i += batchSize) text += enc.write(vals.slice(i, i + batchSize).map((v, j) => ev(v, i + j + 1)));
  return text + enc.end();
}

/** Arrays of flat records that all share one random key list (keys with odd characters). */
export const flatRecords = <T extends Value>(value: fc.Arbitrary<T>): fc.Arbitrary<{ [k: string]: T }[]> =>
  fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', ',', '"', 'x'), minLength: 1, maxLength: 4 }).map((k) => 'f' + k), { minLength: 1, maxLength: 5 })
    .chain((keys) => fc.array(fc.tuple(...keys.map(() => value)).map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]]))), { minLength: 1, maxLength: 6 }));
