import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/core/event.js';
import { decoders, encoders, formatByExtension, formatList, inputFormatList, messageDecoder, outputFormatList, sniffFormat } from '../../src/formats/index.js';
import type { BadValue } from '../../src/formats/spec.js';
import { decode, SOURCE } from './helpers.js';

/** Decode one message value; where() names the message. */
function message(format: Parameters<typeof messageDecoder>[0], text: string, infer = true): { events: Event[]; bad: BadValue[] } {
  const events: Event[] = [];
  const bad: BadValue[] = [];
  messageDecoder(format, infer)(text, SOURCE, events, bad, () => 't/0@7', 1000);
  return { events, bad };
}

describe('registry', () => {
  it('lists each format once, each reading or writing, with a one-line summary', () => {
    const names = formatList.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of formatList) {
      expect(f.decoder !== undefined || f.encoder !== undefined, f.name).toBe(true);
      expect(f.summary, f.name).toMatch(/^[^\n]{10,}$/);
    }
    expect(inputFormatList.map((f) => f.name)).toEqual(names.filter((n) => formatList.find((f) => f.name === n)!.decoder));
    expect(outputFormatList.map((f) => f.name)).toEqual(names.filter((n) => formatList.find((f) => f.name === n)!.encoder));
    expect(Object.keys(decoders)).toEqual(inputFormatList.map((f) => f.name));
    expect(Object.keys(encoders)).toEqual(outputFormatList.map((f) => f.name));
  });

  it('maps every extension of a format, and each one its summary names, to that format', () => {
    for (const f of inputFormatList) {
      for (const ext of f.extensions) expect(formatByExtension(`x.${ext.toUpperCase()}`), ext).toBe(f.name);
      for (const [, ext] of f.summary.matchAll(/\.([a-z0-9]+)\b/g)) {
        if (ext !== 'log') expect(formatByExtension(`x.${ext}`), `${f.name}: .${ext}`).toBe(f.name);
      }
    }
  });

  // What a new format's spec promises, checked on the sample it carries.
  describe.each(inputFormatList.map((f) => [f.name, f] as const))('%s sample', (name, f) => {
    it('decodes as a file without bad input', () => {
      const d = decode(f.decoder, f.sample);
      expect(d.bad).toEqual([]);
      expect(d.events.length).toBeGreaterThan(0);
    });
    it('gives the same records as one message value (the Kafka source) as it does as a file', () => {
      for (const infer of [true, false]) {
        const m = message(name, f.sample, infer);
        expect(m.bad).toEqual([]);
        expect(m.events.map((e) => e.value)).toEqual(decode(f.decoder, f.sample, { infer }).events.map((e) => e.value));
        for (const e of m.events) expect([e.source, e.timestamp]).toEqual([SOURCE, 1000]);
      }
    });
    it.runIf(f.sniff !== undefined)('is sniffed as itself', () => {
      expect(sniffFormat(f.sample)).toBe(name);
    });
  });
});

describe('messageDecoder', () => {
  it('auto: JSON when it starts with { or [, else logfmt pairs, else a line', () => {
    expect(message('auto', ' {"a":1}').events.map((e) => [e.value, e.raw])).toEqual([[{ a: 1 }, ' {"a":1}']]);
    expect(message('auto', '[1,\n2]').events.map((e) => [e.value, e.raw])).toEqual([[[1, 2], undefined]]);
    expect(message('auto', 'a=1 b="x y"').events.map((e) => e.value)).toEqual([{ a: 1, b: 'x y' }]);
    expect(message('auto', 'a=1', false).events.map((e) => e.value)).toEqual([{ a: '1' }]);
    expect(message('auto', '=x plain').events.map((e) => e.value)).toEqual([{ line: '=x plain' }]);
    expect(message('auto', 'a="open').events.map((e) => e.value)).toEqual([{ line: 'a="open' }]);
    expect(message('auto', '{"a":').bad).toEqual([{ at: 0, raw: '{"a":', reason: expect.stringMatching(/^invalid JSON: /), where: 't/0@7' }]);
  });

  it('one message, one record: a second JSON line or a bad logfmt value is bad input at the message', () => {
    expect(message('ndjson', '{"a":1}\n{"a":2}').bad).toHaveLength(1);
    expect(message('logfmt', 'a="open').bad).toEqual([{ at: 0, raw: 'a="open', reason: expect.any(String), where: 't/0@7' }]);
    expect(message('lines', 'a\nb').events.map((e) => e.value)).toEqual([{ line: 'a\nb' }]);
  });

  it('csv and tsv: each value is a document with its header; a bad row is reported at the message', () => {
    expect(message('csv', 'a,b\n1,x\n2,y').events.map((e) => e.value)).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(message('tsv', 'a\tb\n1\tx').events.map((e) => e.value)).toEqual([{ a: 1, b: 'x' }]);
    const m = message('csv', 'a,b\n1,2,3\n');
    expect(m.bad.map((b) => [b.at, b.where])).toEqual([[0, 't/0@7']]);
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
