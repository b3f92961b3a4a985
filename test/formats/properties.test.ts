// Properties every decoder must have: the result does not depend on how the input is cut
// into chunks, and no input (random text, random bytes, invalid UTF-8) makes it throw.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decoders } from '../../src/formats/index.js';
import type { InputFormat } from '../../src/formats/types.js';
import { decode, everyN } from './helpers.js';

const formats = Object.keys(decoders) as InputFormat[];

// Pieces that mean something to at least one decoder, so random texts hit the edge cases.
const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '=', ' ', '\t', '\n', '\r', '\r\n', '\uFEFF', '\uFFFD', 'é', '😀', 'a', '1', '-2.5e3', 'true', 'null', '""') },
  { weight: 1, arbitrary: fc.constantFrom('{"a":1}\n', '[1,{"b":"x]"}]', 'a,b,c\n', '"x\ny",2\n', 'k=v m="q r"\n', 'x\ty\n', '{"s":"\\"}\\\\"}') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) + '\n') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const text = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

const options = fc.record({ infer: fc.boolean(), implicitHeader: fc.boolean() });

describe.each(formats)('%s decoder', (format) => {
  const factory = decoders[format];

  it('gives the same events and bad reports whatever the chunking', () => {
    fc.assert(
      fc.property(text, options, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 7 }), (input, opts, cuts, size) => {
        const whole = decode(factory, input, opts);
        expect(decode(factory, input, opts, cuts.map((c) => c % (input.length + 1)))).toEqual(whole);
        expect(decode(factory, input, opts, everyN(input, size))).toEqual(whole);
        expect(decode(factory, input, opts, everyN(input, 1))).toEqual(whole);
      }),
      { numRuns: 250 },
    );
  });

  it('never throws on random text, random bytes or invalid UTF-8', () => {
    const utf8 = new TextDecoder('utf-8');
    const latin1 = new TextDecoder('latin1');
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => utf8.decode(b)),
      fc.uint8Array({ maxLength: 300 }).map((b) => latin1.decode(b)),
      text,
    );
    fc.assert(
      fc.property(input, options, fc.array(fc.nat(), { maxLength: 5 }), (s, opts, cuts) => {
        const d = decode(factory, s, opts, cuts.map((c) => c % (s.length + 1)));
        for (const b of d.bad) {
          expect(typeof b.reason).toBe('string');
          expect(b.line).toBeGreaterThanOrEqual(1);
        }
        for (const e of d.events) expect(e.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a 50 MB line in 64 KiB chunks in a few seconds', () => {
    const body = 'z'.repeat(50 * 1024 * 1024);
    const input = format === 'csv' || format === 'tsv' ? 'h\n' + body + '\nok\n' : format === 'logfmt' ? 'k=' + body + '\nk=ok\n' : format === 'lines' ? body + '\nok\n' : '"' + body + '"\n"ok"\n';
    const t = performance.now();
    const d = decode(factory, input, {}, everyN(input, 64 * 1024));
    expect(performance.now() - t).toBeLessThan(8000);
    expect(d.bad).toEqual([]);
    expect(d.events.length).toBe(2);
    expect(JSON.stringify(d.events[1].value)).toContain('ok');
  });
});
