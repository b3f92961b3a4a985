// What the in-process fuzzers run: every decoder (src/formats/) and every `parse` parser
// (src/formats/parse/), each as a target that makes input `index` of a run and checks it.
// A check returns null when all holds, else what went wrong (a thrown error is a crash too).
//
// Decoders: never throw; every bad report has a reason and a line; records and reports of a
// line format come in line order; values are JSON values; the result does not depend on the chunking; and on a
// document of N units (a line format), records + bad reports = N, one per unit line, so that
// nothing vanishes (the decoder's half of `records in = records out + bad + filtered`).
// Parsers: never throw; the result is a record of JSON values or a non-empty reason.

import type { Event } from '../../src/core/event.js';
import { decoders, inputFormatList } from '../../src/formats/index.js';
import { textParsers } from '../../src/formats/parse/index.js';
import type { DecoderFactory, InputFormat } from '../../src/formats/types.js';
import { corpusSeeds, mutate, randFor, tokenSoup, unitDoc, type Rand, type UnitDoc } from './inputs.js';

export interface Target {
  name: string;
  /** input `index` of a run with `seed` */
  input(seed: number, index: number): Input;
  /** null when every property holds, else what failed */
  check(input: Input): string | null;
}

export interface Input {
  text: string;
  /** decoders: cut points for a second, chunked read; units: what a unit document must give */
  cuts?: number[];
  units?: UnitDoc['lines'];
  infer?: boolean;
}

const SOURCE = { name: 'fuzz.in' };

interface Decoded {
  /** records and bad reports in the order the decoder gave them: [line, 'ok' | reason] */
  seq: [number, string][];
  values: unknown[];
}

function decodeAll(factory: DecoderFactory, text: string, cuts: number[], infer: boolean): Decoded {
  const out: Event[] = [];
  const seq: [number, string][] = [];
  let seen = 0;
  const flush = () => {
    for (; seen < out.length; seen++) seq.push([out[seen]!.line, 'ok']);
  };
  const d = factory(SOURCE, { infer }, (_raw, reason, line) => {
    flush();
    seq.push([line, typeof reason === 'string' && reason.length > 0 ? 'bad' : `empty reason ${JSON.stringify(reason)}`]);
  }, () => 0);
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    d.write(text.slice(prev, c), out);
    flush();
    prev = c;
  }
  d.end(out);
  flush();
  return { seq, values: out.map((e) => e.value) };
}

/** Two reads gave the same reports and values (compared without recursion, as deep as they go). */
function sameDecoded(a: Decoded, b: Decoded): boolean {
  if (a.seq.length !== b.seq.length || a.seq.some(([l, w], i) => l !== b.seq[i]![0] || w !== b.seq[i]![1])) return false;
  const stack: [unknown, unknown][] = [[a.values, b.values]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) return false;
    for (const k of kx) stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
  }
  return true;
}

/** A JSON value all the way down (without recursion: a deep value is not the checker's stack overflow). */
export function isJsonValue(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      // JSON.parse reads a number too big for a double (1e400) as ±Infinity; encoders write its text
      if (Number.isNaN(v)) return false;
    } else if (Array.isArray(v)) stack.push(...v);
    else if (isPlainObject(v)) stack.push(...Object.values(v));
    else return false;
  }
  return true;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Seeds for a format's mutations: its sample, the corpus that fits it, the fixtures. */
function seedsFor(format: string, sample: string): string[] {
  const c = corpusSeeds();
  const own = format === 'json' || format === 'ndjson' ? c.get('json')! : format === 'csv' || format === 'tsv' ? c.get('csv')! : [];
  const tabbed = format === 'tsv' ? c.get('csv')!.map((s) => s.replace(/,/g, '\t')) : [];
  return [sample, ...own, ...tabbed, ...c.get('fixtures')!];
}

const LINE_FORMATS = new Set(['ndjson', 'logfmt', 'csv', 'tsv', 'lines']);

export function decoderTarget(format: InputFormat, factory: DecoderFactory, sample: string): Target {
  let seeds: string[] | null = null;
  return {
    name: format,
    input(seed, index) {
      const r = randFor(seed, index);
      seeds ??= seedsFor(format, sample);
      const infer = r.chance(0.7);
      if (LINE_FORMATS.has(format) && r.chance(0.25)) {
        const doc = unitDoc(r, format);
        return { text: doc.text, units: doc.lines, cuts: randomCuts(r, doc.text), infer };
      }
      const text = r.chance(0.9) ? mutate(r, seeds) : tokenSoup(r);
      return { text, cuts: r.chance(0.3) ? randomCuts(r, text) : undefined, infer };
    },
    check({ text, cuts, units, infer = true }) {
      const whole = decodeAll(factory, text, [], infer);
      let lastLine = 0;
      for (const [line, what] of whole.seq) {
        if (what !== 'ok' && what !== 'bad') return what;
        if (!(line >= 1)) return `a ${what === 'ok' ? 'record' : 'bad report'} at line ${line}`;
        // (json names an unterminated top-level array by the line it opened on, after its elements)
        if (line < lastLine && LINE_FORMATS.has(format)) return `line ${line} reported after line ${lastLine}`;
        lastLine = line;
      }
      for (const v of whole.values) if (!isJsonValue(v)) return `not a JSON value: ${String(JSON.stringify(v)).slice(0, 100)}`;
      if (cuts !== undefined) {
        const cut = decodeAll(factory, text, cuts, infer);
        if (!sameDecoded(cut, whole)) return `chunked at ${JSON.stringify(cuts)} it reads differently`;
      }
      if (units !== undefined) {
        const got = whole.seq.map(([line]) => line);
        if (JSON.stringify(got) !== JSON.stringify(units)) {
          return `units on lines ${JSON.stringify(units)} gave records and bad reports on lines ${JSON.stringify(got)}`;
        }
      }
      return null;
    },
  };
}

function randomCuts(r: Rand, text: string): number[] {
  if (text.length < 2) return [];
  const n = 1 + r.int(Math.min(12, text.length - 1));
  return [...new Set(Array.from({ length: n }, () => 1 + r.int(text.length - 1)))].sort((a, b) => a - b);
}

/** Regexes for `parse regex`: common shapes, linear on any text (a catastrophic one is #16.7). */
export const REGEXES = [
  '^(?<ip>\\S+) (?<rest>.*)',
  '(?<key>\\w+)=(?<value>\\S*)',
  '^(?<level>[A-Z]+):? (?<msg>.*)$',
  '(?<n>\\d+)',
  '^(?<a>[^,]*),(?<b>[^,]*)',
  '(?<word>\\p{L}+)',
];

function parserTarget(name: string): Target {
  const spec = textParsers.get(name)!;
  const parsers = [true, false].flatMap((infer) => (spec.needsArg ? REGEXES : [undefined]).map((arg) => spec.create(arg, { infer })));
  let seeds: string[] | null = null;
  return {
    name: `parse ${name}`,
    input(seed, index) {
      const r = randFor(seed, index);
      if (seeds === null) {
        const examples = [...textParsers.values()].flatMap((s) => s.examples.map((e) => e.input));
        const c = corpusSeeds();
        seeds = [...examples, ...examples, ...c.get('fixtures')!.flatMap((f) => f.split('\n').slice(0, 20)), ...c.get('json')!.slice(0, 60)];
      }
      return { text: r.chance(0.9) ? mutate(r, seeds) : tokenSoup(r) };
    },
    check({ text }) {
      for (const p of parsers) {
        const res = p.parse(text);
        if (typeof res === 'string') {
          if (res.length === 0) return 'an empty reason';
        } else if (!isPlainObject(res) || !isJsonValue(res)) {
          return `not a record of JSON values: ${String(JSON.stringify(res)).slice(0, 100)}`;
        }
      }
      return null;
    },
  };
}

/**
 * A target that hangs on input 3 and crashes on input 5: with SLUICE_FUZZ_PLANTED=1 only, for the
 * test that `npm run fuzz` catches both and goes on after them (run.test.ts).
 */
const planted: Target = {
  name: 'planted',
  input: (_seed, index) => ({ text: String(index) }),
  check: ({ text }) => {
    if (text === '3') for (;;);
    return text === '5' ? 'planted crash' : null;
  },
};

/** Every decoder and every parser, decoders first. */
export function allTargets(): Target[] {
  return [
    ...inputFormatList.map((f) => decoderTarget(f.name, decoders[f.name], f.sample)),
    ...[...textParsers.keys()].map(parserTarget),
    ...(process.env.SLUICE_FUZZ_PLANTED === '1' ? [planted] : []),
  ];
}
