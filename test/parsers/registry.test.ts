import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textParsers, type TextParser } from '../../src/formats/parse/index.js';

// anchored, so that the regex itself stays linear on the huge junk lines below
const SAFE_REGEX = '^(?<ip>\\S+) (?<rest>.*)';
const all = (infer: boolean): TextParser[] =>
  [...textParsers.values()].map((s) => s.create(s.needsArg ? SAFE_REGEX : undefined, { infer }));

describe('the parser registry', () => {
  it('lists every format of DESIGN §3, each documented', () => {
    expect([...textParsers.keys()]).toEqual(['json', 'logfmt', 'kv', 'csv', 'regex', 'nginx', 'apache', 'syslog']);
    for (const [name, spec] of textParsers) {
      expect(spec.name).toBe(name);
      expect(spec.summary).not.toMatch(/\n/);
      expect(spec.usage).toMatch(new RegExp(`^parse ${name}\\b.*\\[from FIELD\\]$`));
      expect(spec.examples.length).toBeGreaterThan(0);
      expect(spec.needsArg).toBe(name === 'regex');
    }
  });

  it('gives parsers that carry their spec', () => {
    const p = textParsers.get('nginx')!.create(undefined, { infer: true });
    expect(p.name).toBe('nginx');
    expect(p.examples).toBe(textParsers.get('nginx')!.examples);
  });

  for (const [name, spec] of textParsers) {
    it(`${name}: the examples give exactly their output`, () => {
      for (const ex of spec.examples) {
        const p = spec.create(ex.arg, { infer: true });
        expect(JSON.stringify(p.parse(ex.input))).toBe(ex.output);
      }
    });
  }
});

/** The result is a non-empty reason, or a record made only of JSON values. */
function checkResult(r: unknown): void {
  if (typeof r === 'string') {
    expect(r.length).toBeGreaterThan(0);
    return;
  }
  expect(isPlainObject(r), 'a record').toBe(true);
  expect(isJsonValue(r), `JSON values only: ${String(JSON.stringify(r)).slice(0, 200)}`).toBe(true);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function isJsonValue(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonValue);
  return isPlainObject(v) && Object.values(v).every(isJsonValue);
}

// pieces that steer random text into the parsers' interesting paths
const PIECES = [
  ' ', '  ', '"', "'", '\\', '\\"', '\\x22', '\\xE2\\x80\\x99', '\\x1', '[', ']', '-', '=', ':', ',', ';', '<', '>', '<34>', '<165>1 ',
  'a', 'key', '__proto__', '1', '42', '0x1F', 'true', '\t', '\r', '\n', '\uFEFF', '\u0000', '😀', '\uD800',
  'Oct 11 22:14:15', 'May  1 12:00:03', '2003-10-11T22:14:15.003Z', '[01/May/2024:12:00:01 +0000]', '127.0.0.1 - - ',
  '"GET / HTTP/1.1"', ' 200 ', '512', 'sshd[123]:', '[id a="x"]', 'k="v"', '{"a":1}',
];
const pieced = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));

describe('parsers never throw on data', () => {
  for (const infer of [true, false]) {
    it(`random text (infer ${infer})`, () => {
      const parsers = all(infer);
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.fullUnicodeString(), fc.string({ unit: 'binary' }), pieced), (text) => {
          for (const p of parsers) checkResult(p.parse(text));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('mangled real lines: truncated at every length, and with a character replaced', () => {
    const parsers = all(true);
    const lines = [...textParsers.values()].flatMap((s) => s.examples.map((e) => e.input));
    for (const line of lines) {
      for (let i = 0; i <= line.length; i++) for (const p of parsers) checkResult(p.parse(line.slice(0, i)));
    }
    fc.assert(
      fc.property(fc.constantFrom(...lines), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (line, at, code) => {
        const i = at % line.length;
        const text = line.slice(0, i) + String.fromCharCode(code) + line.slice(i + 1);
        for (const p of parsers) checkResult(p.parse(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parsers give a result on huge junk lines', () => {
  // A line of `size` characters of each shape, small and big. Only the result is checked: how
  // the time grows with the size is a benchmark's business, since a wall-clock limit in a test
  // fails on a busy machine.
  const SMALL = 1 << 14;
  const BIG = 1 << 19;
  const repeat = (unit: string) => (size: number): string => unit.repeat(Math.ceil(size / unit.length));
  let seed = 42;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const randomBytes = Array.from({ length: BIG }, () => String.fromCharCode(Math.floor(rand() * 256))).join('');
  const shapes: [string, (size: number) => string][] = [
    ['random bytes', (size) => randomBytes.slice(0, size)],
    ...['a', ' ', '"', "'", '\\', '[', '=', ':', ',', '" ', 'a=', "'a ", '\\x41', '\\xE2', 'x[', '<1', '1 ', '[a b="', 'a="\\"', 'a="x" ', 'k: ', 'Oct 11 22:14:15 ']
      .map((unit): [string, (size: number) => string] => [JSON.stringify(unit) + ' repeated', repeat(unit)]),
    ['an nginx line with a huge path and agent', (size) => `1.2.3.4 - - [01/May/2024:12:00:01 +0000] "GET /${'a'.repeat(size / 2)} HTTP/1.1" 200 1 "-" "${'\\"'.repeat(size / 4)}"`],
    ['an RFC 5424 line with huge structured data', (size) => `<34>1 - - - - - [id${' a="b"'.repeat(size / 6)}] x`],
    ['an unterminated nginx request', (size) => `1.2.3.4 - - [01/May/2024:12:00:01 +0000] "${'GET / '.repeat(size / 6)}`],
  ];
  for (const [what, make] of shapes) {
    const small = make(SMALL);
    const big = make(BIG);
    for (const p of all(true)) {
      it(`${p.name}: ${what}`, () => {
        checkResult(p.parse(small));
        checkResult(p.parse(big));
      });
    }
  }
});
