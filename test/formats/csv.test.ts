import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvCell, decodeCsv, encodeCsv, splitCsvLine } from '../../src/formats/csv.js';
import { decode, encode, everyN, flatRecords, values } from './helpers.js';

describe('csv decoder', () => {
  it('reads a header and rows, inferring numbers and booleans', () => {
    const d = decode(decodeCsv, 'name,count,ok,ratio,zip\nweb,12,true,0.5,007\napi,-3,false,1e3,0x1F\n');
    expect(d.events).toEqual([
      { value: { name: 'web', count: 12, ok: true, ratio: 0.5, zip: '007' }, line: 2, raw: undefined },
      { value: { name: 'api', count: -3, ok: false, ratio: '1e3', zip: '0x1F' }, line: 3, raw: undefined },
    ]);
    expect(d.bad).toEqual([]);
  });

  it('keeps strings with infer off', () => {
    expect(values(decode(decodeCsv, 'a,b\n1,true\n', { infer: false }))).toEqual([{ a: '1', b: 'true' }]);
  });

  it('names fields 1, 2, 3 with an implicit header', () => {
    expect(values(decode(decodeCsv, 'x,1\ny,2\n', { implicitHeader: true }))).toEqual([
      { 1: 'x', 2: 1 },
      { 1: 'y', 2: 2 },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    const d = decode(decodeCsv, 'a,b,c\n"x, y","say ""hi""","two\nlines"\n"",plain,"end"\n');
    expect(d.events).toEqual([
      { value: { a: 'x, y', b: 'say "hi"', c: 'two\nlines' }, line: 2, raw: undefined },
      { value: { a: '', b: 'plain', c: 'end' }, line: 4, raw: undefined },
    ]);
  });

  it('keeps a CRLF inside quotes as data and strips CRLF line ends', () => {
    const d = decode(decodeCsv, 'a,b\r\n"1\r\n2",x\r\n3,"y"\r\n');
    expect(values(d)).toEqual([
      { a: '1\r\n2', b: 'x' },
      { a: 3, b: 'y' },
    ]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(values(decode(decodeCsv, 'a,b\n5" disk,x"y\n'))).toEqual([{ a: '5" disk', b: 'x"y' }]);
  });

  it('skips empty lines (counted), strips a BOM, takes a last line without newline', () => {
    const d = decode(decodeCsv, '\uFEFFa,b\n\n1,2\r\n\r\n3,4');
    expect(d.events.map((e) => [e.value, e.line])).toEqual([
      [{ a: 1, b: 2 }, 3],
      [{ a: 3, b: 4 }, 5],
    ]);
  });

  it('keeps empty cells and trailing empty fields', () => {
    expect(values(decode(decodeCsv, 'a,b,c\n,,\n1,,\n'))).toEqual([
      { a: '', b: '', c: '' },
      { a: 1, b: '', c: '' },
    ]);
  });

  it('reports ragged rows with the field counts and line', () => {
    const d = decode(decodeCsv, 'a,b,c\n1,2\n1,2,3\n1,2,3,4\n"x\ny",2\n');
    expect(values(d)).toEqual([{ a: 1, b: 2, c: 3 }]);
    expect(d.bad).toEqual([
      { raw: '1,2', reason: 'expected 3 fields, found 2', line: 2 },
      { raw: '1,2,3,4', reason: 'expected 3 fields, found 4', line: 4 },
      { raw: '"x\ny",2', reason: 'expected 3 fields, found 2', line: 5 },
    ]);
  });

  it('makes duplicate header names unique', () => {
    expect(values(decode(decodeCsv, 'a,a,b,a,a_2\n1,2,3,4,5\n'))).toEqual([{ a: 1, a_2: 2, b: 3, a_3: 4, a_2_2: 5 }]);
  });

  it('reports an unclosed quote at end of input', () => {
    const d = decode(decodeCsv, 'a,b\n1,2\n3,"open\nmore\n');
    expect(values(d)).toEqual([{ a: 1, b: 2 }]);
    expect(d.bad).toEqual([{ raw: '3,"open\nmore', reason: 'unclosed quote at end of input', line: 3 }]);
  });

  it('reports text after a closing quote and goes on', () => {
    const d = decode(decodeCsv, 'a,b\n"x"y,1\n2,3\n');
    expect(values(d)).toEqual([{ a: 2, b: 3 }]);
    expect(d.bad).toEqual([{ raw: '"x"y,1', reason: 'unexpected character after closing quote (column 4)', line: 2 }]);
  });

  it('gives nothing for empty input or a header alone', () => {
    expect(decode(decodeCsv, '')).toEqual({ events: [], bad: [] });
    expect(decode(decodeCsv, 'a,b\n')).toEqual({ events: [], bad: [] });
  });

  it('stores a __proto__ column as a plain field', () => {
    const [rec] = values(decode(decodeCsv, '__proto__,b\nx,1\n')) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
    expect(Object.keys(rec)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(rec)).toBe('{"__proto__":"x","b":1}');
  });

  it('gives the same result in 1-byte chunks', () => {
    const text = 'a,b\r\n"x\r\ny",1\r\n\r\n"q""",2\n"open';
    expect(decode(decodeCsv, text, {}, everyN(text, 1))).toEqual(decode(decodeCsv, text));
  });
});

describe('splitCsvLine', () => {
  it('splits one line, removing quotes', () => {
    expect(splitCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(splitCsvLine('"open,x')).toEqual(['open,x']);
  });
});

describe('csv encoder', () => {
  it('writes a header from the first record, then rows', () => {
    expect(encode(encodeCsv({ passRaw: false }), [{ a: 1, b: 'x' }, { a: 2, b: null }])).toBe('a,b\n1,x\n2,\n');
  });

  it('quotes cells with commas, quotes, newlines or edge spaces', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('l1\nl2')).toBe('"l1\nl2"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(' lead')).toBe('" lead"');
    expect(csvCell('trail ')).toBe('"trail "');
    expect(csvCell('')).toBe('');
  });

  it('starts a new header block after a blank line when the keys change', () => {
    const text = encode(encodeCsv({ passRaw: false }), [{ a: 1 }, { a: 2 }, { b: 3 }, { b: 4, a: 5 }, { b: 6, a: 7 }], 2);
    expect(text).toBe('a\n1\n2\n\nb\n3\n\nb,a\n4,5\n6,7\n');
  });

  it('writes non-object values in a column named value, nested values flattened as Miller does', () => {
    const text = encode(encodeCsv({ passRaw: false }), [5, 'x', { n: { a: [1, 2] } }]);
    expect(text).toBe('value\n5\nx\n\nn.a.1,n.a.2\n1,2\n');
    expect(encode(encodeCsv({ passRaw: false }), [{ e: {}, l: [], v: [[1], { 'k,': null }] }])).toBe('e,l,v.1.1,"v.2.k,"\n{},[],1,\n');
    expect(encode(encodeCsv({ passRaw: false }), [[1, [2]]])).toBe('value.1,value.2.1\n1,2\n');
  });

  it('writes a blank line for an empty record, then a new header', () => {
    expect(encode(encodeCsv({ passRaw: false }), [{ a: 1 }, {}, { a: 2 }])).toBe('a\n1\n\na\n2\n');
  });

  it('writes nothing for no records', () => {
    expect(encode(encodeCsv({ passRaw: false }), [])).toBe('');
  });
});

// Strings that inference leaves alone: they do not start like a number or a boolean.
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', ' ', ',', '"', '\n', '\r', "'", 'é', '\t', '\\', '='), maxLength: 8 }).map((s) => 'k' + s);
const cell = fc.oneof(word, fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)));

describe('csv round trip', () => {
  it('encode then decode gives the same records (inference on)', () => {
    fc.assert(
      fc.property(flatRecords(cell), (recs) => {
        const text = encode(encodeCsv({ passRaw: false }), recs);
        const d = decode(decodeCsv, text);
        expect(d.bad).toEqual([]);
        expect(values(d)).toEqual(recs);
      }),
      { numRuns: 300 },
    );
  });

  it('encode then decode gives the same strings with inference off', () => {
    fc.assert(
      fc.property(flatRecords(fc.string({ maxLength: 6 })), (recs) => {
        const d = decode(decodeCsv, encode(encodeCsv({ passRaw: false }), recs), { infer: false });
        expect(d.bad).toEqual([]);
        // a record whose only cell is empty is written as an empty line, which csv skips
        expect(values(d)).toEqual(recs.filter((r) => !(Object.keys(r).length === 1 && Object.values(r)[0] === '')));
      }),
      { numRuns: 300 },
    );
  });
});

describe('csv with another separator (--ifs, --ofs)', () => {
  const seps = fc.constantFrom(';', '|', '\t', ' ', ':', ',', 'x');

  it('reads a semicolon-separated file, quotes and all, with commas as plain text', () => {
    const d = decode(decodeCsv, 'name;amount;note\nweb;1,5;"a;""b"""\napi;3;x\n', { ifs: ';' });
    expect(d.bad).toEqual([]);
    expect(values(d)).toEqual([{ name: 'web', amount: '1,5', note: 'a;"b"' }, { name: 'api', amount: 3, note: 'x' }]);
  });

  it('writes the separator between cells and quotes a cell that holds it', () => {
    expect(encode(encodeCsv({ passRaw: false, ofs: ';' }), [{ a: 'x;y', b: '1,5' }])).toBe('a;b\n"x;y";1,5\n');
  });

  it('encode then decode with the same separator gives the same strings, whatever the chunking', () => {
    fc.assert(
      fc.property(seps, flatRecords(fc.string({ unit: fc.constantFrom('a', ';', '|', ',', '"', '\n', ' ', '\t', ':', 'x'), maxLength: 6 })), fc.nat(), (sep, recs, cut) => {
        const text = encode(encodeCsv({ passRaw: false, ofs: sep }), recs);
        const whole = decode(decodeCsv, text, { infer: false, ifs: sep });
        expect(whole.bad).toEqual([]);
        expect(values(whole)).toEqual(recs.filter((r) => !(Object.keys(r).length === 1 && Object.values(r)[0] === '')));
        expect(decode(decodeCsv, text, { infer: false, ifs: sep }, [cut % (text.length + 1)])).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
