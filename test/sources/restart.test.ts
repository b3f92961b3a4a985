// The two halves of a checkpoint together, as the executor will use them: a file read in chunks
// through a decoder, stopped after any chunk; the input's position and the decoder's snapshot
// saved (v8.serialize); a new input resumed at the position and a new decoder restored from the
// snapshot, fed the rest. The events and bad-input reports must be those of one uninterrupted
// run: no line lost or read twice, line numbers going on, a line or a character cut by the
// stop included.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Event } from '../../src/core/event.js';
import type { Decoder, DecoderFactory } from '../../src/formats/types.js';
import { decodeNdjson } from '../../src/formats/ndjson.js';
import { decodeCsv } from '../../src/formats/csv.js';
import { decodeJson } from '../../src/formats/json.js';
import { fileInput, type InputPosition } from '../../src/sources/text.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  events: { value: unknown; line: number; raw: string | undefined }[];
  bad: { raw: string; reason: string; line: number }[];
}

const SOURCE = { name: 'in' };

/** Read `file` in chunks of `size` bytes; stop after `stopAfter` chunks (if given), save, and go on in a new input and decoder. */
async function run(factory: DecoderFactory, file: string, size: number, stopAfter?: number): Promise<Run> {
  const result: Run = { events: [], bad: [] };
  const out: Event[] = [];
  const fresh = (): Decoder => factory(SOURCE, { infer: true }, (raw, reason, line) => result.bad.push({ raw, reason, line }), () => 0);
  let decoder = fresh();
  let input = fileInput(file, size);
  let checkpoint: Buffer | null = null;
  let n = 0;
  for await (const text of input.chunks()) {
    decoder.write(text, out);
    if (++n === stopAfter) {
      checkpoint = serialize({ position: input.position(), decoder: decoder.snapshot() });
      input.close();
      break;
    }
  }
  if (checkpoint !== null) {
    const saved = deserialize(checkpoint) as { position: InputPosition; decoder: unknown };
    decoder = fresh();
    decoder.restore(saved.decoder);
    input = fileInput(file, size);
    expect(await input.resume(saved.position)).toEqual([]);
    for await (const text of input.chunks()) decoder.write(text, out);
  }
  decoder.end(out);
  result.events = out.map((e) => ({ value: e.value, line: e.line, raw: e.raw }));
  return result;
}

const word = fc.constantFrom('a', 'é', '€', '😀', 'x y', '"q"', '', '1', 'true');
const ndjson = fc
  .array(fc.oneof({ weight: 5, arbitrary: fc.record({ s: word, n: fc.integer() }).map((r) => JSON.stringify(r)) }, { weight: 1, arbitrary: fc.constantFrom('{"bad":', '', '  ', 'nope') }), { maxLength: 30 })
  .chain((ls) => fc.constantFrom('\n', '\r\n').map((nl) => ls.join(nl) + (ls.length > 0 ? nl : '')));
const csv = fc
  .array(fc.tuple(word, word).map(([a, b]) => `${a.includes('"') ? '"' + a.replace(/"/g, '""') + '"' : a},"${b}\n${b}"`), { maxLength: 30 })
  .map((rows) => '\uFEFFname,text\r\n' + rows.join('\r\n') + '\r\n');
const json = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 }).map((vs) => '[\n' + vs.map((v) => '  ' + JSON.stringify(v, null, 1)).join(',\n') + '\n]\n');

describe.each([
  ['ndjson', decodeNdjson, ndjson],
  ['csv', decodeCsv, csv],
  ['json', decodeJson, json],
] as const)('a %s file stopped after any chunk and restarted', (_name, factory, content) => {
  it('gives the events and bad reports of one uninterrupted run', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 40 }), fc.nat(60), fc.boolean(), async (text, size, stopAfter, gz) => {
        const file = join(dir, `in-${k++}`);
        writeFileSync(file, gz ? gzipSync(text) : text);
        const whole = await run(factory, file, size);
        expect(await run(factory, file, size, stopAfter + 1)).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });
});
