// Encodings of inputs: UTF-16 by its byte order mark (any cutting gives the text of the whole,
// bytes counted for checkpoints), UTF-32 refused, and invalid UTF-8 counted exactly (a real
// U+FFFD in the input is not a replaced one) whatever the cutting.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataError } from '../../src/errors/errors.js';
import { Utf16Text, encodingOf } from '../../src/sources/encoding.js';
import { Utf8Text } from '../../src/sources/text.js';

/** Push `b` cut at `cuts`, then end: the text, the bytes counted, and the replaced count. */
function decode(t: Utf8Text | Utf16Text, b: Buffer, cuts: number[]): { text: string; bytes: number; replaced: number } {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  let text = '';
  let from = 0;
  for (const c of [...at, b.length]) {
    text += t.push(b.subarray(from, c));
    expect(t.bytes + t.held).toBe(c);
    from = c;
  }
  text += t.end();
  return { text, bytes: t.bytes, replaced: t.replaced };
}

const sample = 'name,city\r\nJosé,Zürich\r\n李,東京\r\n😀,x\r\n';

describe('UTF-16', () => {
  it('LE and BE with a byte order mark: the text of the whole for any cutting, the mark counted but not returned', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    expect(be.subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]));
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
        expect(decode(new Utf16Text('utf-16le'), le, cuts)).toEqual({ text: sample, bytes: le.length, replaced: 0 });
        expect(decode(new Utf16Text('utf-16be'), be, cuts)).toEqual({ text: sample, bytes: be.length, replaced: 0 });
      }),
    );
  });

  it('resumed mid-way (no mark to skip); an odd byte at the end becomes U+FFFD', () => {
    const body = Buffer.from('ab', 'utf16le');
    expect(decode(new Utf16Text('utf-16le', false), body, [1])).toEqual({ text: 'ab', bytes: 4, replaced: 0 });
    expect(decode(new Utf16Text('utf-16le', false), Buffer.concat([body, Buffer.from([0x41])]), [])).toMatchObject({ text: 'ab\ufffd', bytes: 5 });
  });

  it('the byte order mark decides; UTF-32 is refused by name with the command that converts it', () => {
    expect(encodingOf('f', Buffer.from([0xff, 0xfe, 0x41, 0]))).toBe('utf-16le');
    expect(encodingOf('f', Buffer.from([0xfe, 0xff, 0, 0x41]))).toBe('utf-16be');
    expect(encodingOf('f', Buffer.from('{"a":1}'))).toBe('utf-8');
    expect(encodingOf('f', Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8');
    expect(() => encodingOf('f.csv', Buffer.from([0xff, 0xfe, 0, 0]))).toThrow(
      new DataError('f.csv: UTF-32LE text (by its byte order mark) is not supported: convert it first, e.g. `iconv -f UTF-32 -t UTF-8 f.csv | sluice ...`', 'f.csv'),
    );
    expect(() => encodingOf('(stdin)', Buffer.from([0, 0, 0xfe, 0xff]))).toThrow(/UTF-32BE .* `iconv -f UTF-32 -t UTF-8 \| sluice \.\.\.`/);
  });
});

describe('invalid UTF-8 is counted', () => {
  it.each([
    ['y\xff\xfez', 2],
    ['caf\xc3\xa9', 0],
    ['real \xef\xbf\xbd', 0],
    ['real \xef\xbf\xbd and \xff', 1],
    ['cut \xe2\x82', 1],
    ['\xed\xa0\x80', 3],
  ])('%j: %i replaced', (latin1, n) => {
    expect(decode(new Utf8Text(), Buffer.from(latin1, 'latin1'), []).replaced).toBe(n);
  });

  it('the same count for any cutting of any bytes (real U+FFFD included)', () => {
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(-1)), { maxLength: 40 }).map((xs) =>
      Buffer.from(xs.flatMap((x) => (x === -1 ? [0xef, 0xbf, 0xbd] : [x]))),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), (b, cuts) => {
        const whole = decode(new Utf8Text(), b, []);
        const cut = decode(new Utf8Text(), b, cuts);
        expect(cut).toEqual(whole);
        // every U+FFFD is either real (EF BF BD in the input) or counted
        let real = 0;
        for (let i = b.indexOf('\ufffd'); i >= 0; i = b.indexOf('\ufffd', i + 3)) real++;
        expect(whole.text.split('\ufffd').length - 1).toBe(whole.replaced + real);
      }),
    );
  });

  it('where the input also has a real U+FFFD, the lines with replaced ones are told apart', () => {
    const t = new Utf8Text();
    t.push(Buffer.from('{"a":"real \xef\xbf\xbd"}\n{"b":"bad \xff"}\n{"c":"\xef\xbf\xbd and \xfe"}\r\n{"d":1}\n', 'latin1'));
    expect(t.replaced).toBe(2);
    expect(t.fragments).toEqual(['{"b":"bad \ufffd"}', '{"c":"\ufffd and \ufffd"}']);
  });
});
