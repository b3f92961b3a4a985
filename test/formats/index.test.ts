import { describe, expect, it } from 'vitest';
import { decoders, encoders, formatByExtension, inputFormats, isGzip, isInputFormat, isOutputFormat, outputFormats, sniffFormat } from '../../src/formats/index.js';

describe('registry', () => {
  it('lists every format with a summary, and the lists match the tables', () => {
    expect(inputFormats.map((f) => f.name).sort()).toEqual(Object.keys(decoders).sort());
    expect(outputFormats.map((f) => f.name).sort()).toEqual(Object.keys(encoders).sort());
    for (const f of [...inputFormats, ...outputFormats]) expect(f.summary.length).toBeGreaterThan(10);
    expect(isInputFormat('csv')).toBe(true);
    expect(isInputFormat('table')).toBe(false);
    expect(isInputFormat('toString')).toBe(false);
    expect(isOutputFormat('table')).toBe(true);
  });
});

describe('formatByExtension', () => {
  it('maps extensions, looking through .gz', () => {
    expect(formatByExtension('a/b.ndjson')).toBe('ndjson');
    expect(formatByExtension('x.JSONL.gz')).toBe('ndjson');
    expect(formatByExtension('x.json')).toBe('json');
    expect(formatByExtension('data.csv.gz')).toBe('csv');
    expect(formatByExtension('d.tsv')).toBe('tsv');
    expect(formatByExtension('app.logfmt')).toBe('logfmt');
    expect(formatByExtension('notes.txt')).toBe('lines');
  });

  it('returns null to sniff: .log, unknown or no extension, dot files, directories with dots', () => {
    expect(formatByExtension('app.log')).toBeNull();
    expect(formatByExtension('app.log.gz')).toBeNull();
    expect(formatByExtension('-')).toBeNull();
    expect(formatByExtension('Makefile')).toBeNull();
    expect(formatByExtension('.csv')).toBeNull();
    expect(formatByExtension('dir.csv/file')).toBeNull();
    expect(formatByExtension('x.gz')).toBeNull();
  });
});

describe('isGzip', () => {
  it('checks the magic number', () => {
    expect(isGzip(new Uint8Array([0x1f, 0x8b, 8]))).toBe(true);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    expect(isGzip(new TextEncoder().encode('{"a":1}'))).toBe(false);
  });
});

describe('sniffFormat', () => {
  it('recognises each format', () => {
    expect(sniffFormat('{"a":1}\n{"a":2}\n')).toBe('ndjson');
    expect(sniffFormat('\uFEFF\n  {"a":1}\r\n')).toBe('ndjson');
    expect(sniffFormat('{"a":1, "b": "very long line cut by the sniff bu')).toBe('ndjson');
    expect(sniffFormat('{\n  "a": 1\n}\n')).toBe('json');
    expect(sniffFormat('{"a":1}{"a":2}\n')).toBe('json');
    expect(sniffFormat('[{"a":1}]')).toBe('json');
    expect(sniffFormat('a\tb\tc\n1\t2\t3\n')).toBe('tsv');
    expect(sniffFormat('ts=1 level=info msg="a, b"\n')).toBe('logfmt');
    expect(sniffFormat('name,count\n"x, y",2\n')).toBe('csv');
    expect(sniffFormat('name,count\n')).toBe('csv');
    expect(sniffFormat('Hello, world\nthis is, I think, text\n')).toBe('lines');
    expect(sniffFormat('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326\n')).toBe('lines');
    expect(sniffFormat('set the value a=b for me\n')).toBe('lines');
    expect(sniffFormat('')).toBe('ndjson');
  });
});
