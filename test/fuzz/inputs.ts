// Inputs for the fuzzers, each made from (seed, index) alone so that any input of a run can be
// made again from the two numbers the report prints. Two kinds:
// - mutations of seed texts (the corpora, fixtures, format samples and parser examples): bytes
//   replaced, tokens inserted, ranges deleted, duplicated or spliced from another seed;
// - documents of N "units" (one record each in a line format, some mangled), for which the
//   decoder must account exactly: N records and bad reports, one per unit, nothing lost.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prng } from '../state/crash.js';

export const ROOT = resolve(__dirname, '..', '..');

export interface Rand {
  (): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** The generator for input `index` of a run with `seed`: independent of every other input. */
export function randFor(seed: number, index: number): Rand {
  const next = prng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const r = (() => next()) as Rand;
  r.int = (n) => Math.floor(next() * n);
  r.pick = (items) => items[Math.floor(next() * items.length)]!;
  r.chance = (p) => next() < p;
  return r;
}

/** Pieces that mean something to at least one decoder or parser. */
export const TOKENS = [
  '{', '}', '[', ']', '"', "'", '\\', '\\"', '\\u00', '\\uD800', ',', ':', '=', ' ', '  ', '\t', '\n', '\r\n', '\r', '""',
  '\uFEFF', '\u2028', '\u00a0', '\u0000', '\u001b', '\uFFFD', '\uD800', '😀', 'é', '-', '+', '.', 'e', 'E', '0', '1', '-0', '1e3',
  '1e400', '12345678901234567890', 'true', 'false', 'null', 'NaN', '__proto__', 'constructor', 'a', 'key', 'k=v', 'k="v w"', 'k=',
  '=v', '<34>', '<165>1 ', 'Oct 11 22:14:15', '2024-05-01T12:00:01Z', '[01/May/2024:12:00:01 +0000]', '127.0.0.1 - - ',
  '"GET / HTTP/1.1"', ' 200 ', 'sshd[123]: ', '[id a="x"]', '{"a":1}', '[1,2]', 'a,b,c\n', '"x\ny"', 'x\ty',
];

function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().map((f) => join(dir, f));
}

let corpusCache: Map<string, string[]> | null = null;

/** Seed texts by kind: `json` (JSONTestSuite), `csv` (csv-spectrum), `fixtures` (fixtures/). */
export function corpusSeeds(): Map<string, string[]> {
  if (corpusCache) return corpusCache;
  const read = (p: string) => readFileSync(p, 'utf8');
  const json = listFiles(join(ROOT, 'test/corpora/JSONTestSuite/test_parsing'))
    .filter((p) => !/100000|open_array_object/.test(p)) // the two 100–250 KB files: reading them in every input only slows the run
    .map(read);
  const csv = listFiles(join(ROOT, 'test/corpora/csv-spectrum/csvs')).map(read);
  const fixtures = listFiles(join(ROOT, 'fixtures')).map((p) => read(p).slice(0, 4000));
  corpusCache = new Map([['json', json], ['csv', csv], ['fixtures', fixtures]]);
  return corpusCache;
}

/** A mutation of one of `seeds` (1 to 8 edits). */
export function mutate(r: Rand, seeds: readonly string[]): string {
  let s = seeds.length > 0 ? r.pick(seeds) : '';
  const edits = 1 + r.int(8);
  for (let k = 0; k < edits; k++) {
    const at = r.int(s.length + 1);
    switch (r.int(10)) {
      case 0: // replace a character with any UTF-16 code unit
        s = s.slice(0, at) + String.fromCharCode(r.int(0x10000)) + s.slice(at + 1);
        break;
      case 1: // replace with an ASCII character
        s = s.slice(0, at) + String.fromCharCode(r.int(128)) + s.slice(at + 1);
        break;
      case 2:
      case 3:
        s = s.slice(0, at) + r.pick(TOKENS) + s.slice(at);
        break;
      case 4: // delete a range
        s = s.slice(0, at) + s.slice(at + 1 + r.int(16));
        break;
      case 5: { // duplicate a range
        const len = 1 + r.int(32);
        s = s.slice(0, at + len) + s.slice(at, at + len) + s.slice(at + len);
        break;
      }
      case 6: // truncate
        s = s.slice(0, at);
        break;
      case 7: { // splice in part of another seed
        const other = seeds.length > 0 ? r.pick(seeds) : '';
        const from = r.int(other.length + 1);
        s = s.slice(0, at) + other.slice(from, from + 1 + r.int(200)) + s.slice(at);
        break;
      }
      case 8: { // nest the rest in brackets, now and then very deep (#15.1)
        const k = r.chance(0.9) ? 1 + r.int(40) : 1 + r.int(20_000);
        const [open, close] = r.pick([['[', ']'], ['{"a":', '}'], ['(', ')']] as const);
        s = s.slice(0, at) + open.repeat(k) + s.slice(at) + close.repeat(r.chance(0.8) ? k : r.int(k + 1));
        break;
      }
      default: // swap two lines
        {
          const lines = s.split('\n');
          if (lines.length > 1) {
            const i = r.int(lines.length);
            const j = r.int(lines.length);
            [lines[i], lines[j]] = [lines[j]!, lines[i]!];
            s = lines.join('\n');
          }
        }
    }
  }
  return s;
}

/** Random text from tokens, for when mutation of real input is not enough. */
export function tokenSoup(r: Rand, max = 60): string {
  const n = r.int(max);
  let s = '';
  for (let i = 0; i < n; i++) s += r.chance(0.8) ? r.pick(TOKENS) : String.fromCharCode(r.int(0x10000));
  return s;
}

/** Random JSON values, shallow. */
export function jsonValue(r: Rand, depth = 0): unknown {
  switch (r.int(depth > 2 ? 4 : 6)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.chance(0.5) ? r.int(1000) - 500 : (r() - 0.5) * 10 ** r.int(12);
    case 3: return r.chance(0.3) ? tokenSoup(r, 4) : r.pick(['a', 'b c', 'é', '', 'x"y', 'line\nbreak', '1', 'true']);
    case 4: return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(['a', 'b', 'c', 'k y', '__proto__', '']), jsonValue(r, depth + 1)]));
  }
}

/** A document of units for `format`, and how many units it holds (each must give one record or one bad report). */
export interface UnitDoc {
  text: string;
  /** the 1-based line of each unit: the lines the records and bad reports must name, once each */
  lines: number[];
}

const UNIT_JUNK = ['x', '{', '"', '=', 'a b', '[1', '{"a":', 'k=v =', '}', 'ü', '1 2', '\\'];

/** Text on one line that is never blank and never breaks the line structure of `format`. */
function unitText(r: Rand, format: string): string {
  let t: string;
  switch (format) {
    case 'ndjson': t = JSON.stringify(r.chance(0.8) ? { ...(jsonValue(r, 1) as object), id: r.int(100) } : jsonValue(r)); break;
    case 'logfmt': t = Array.from({ length: 1 + r.int(4) }, () => `${r.pick(['a', 'b', 'k_1', 'msg'])}=${r.pick(['1', 'x', '"q r"', '""', 'true', '-2.5', ''])}`).join(' '); break;
    case 'csv': t = Array.from({ length: 3 }, () => r.pick(['1', 'x', '', ' y ', '2.5', 'true', '"q,r"', '"a ""b"""'])).join(','); break;
    case 'tsv': t = Array.from({ length: 3 }, () => r.pick(['1', 'x', '', ' y ', '2.5', 'true', '"q'])).join('\t'); break;
    default: t = tokenSoup(r, 10);
  }
  if (r.chance(0.3)) { // mangle it
    const at = r.int(t.length + 1);
    t = t.slice(0, at) + r.pick(format === 'csv' || format === 'tsv' ? ['x', ',', '\t', 'é', '1'] : UNIT_JUNK) + t.slice(at + r.int(3));
  }
  t = t.replace(/[\r\n]/g, ' ');
  if (format === 'csv') t = balanceQuotes(t);
  if (!/[^ \t]/.test(t)) t += 'z';
  return t;
}

/** A csv line whose quotes cannot swallow the next line: an odd count gets one more at the end. */
function balanceQuotes(t: string): string {
  return (t.match(/"/g)?.length ?? 0) % 2 === 1 ? t.replace(/"/g, '') : t;
}

/** N units of `format` (ndjson, logfmt, csv, tsv, lines), with blank lines and CRLF between some. */
export function unitDoc(r: Rand, format: string): UnitDoc {
  const n = r.int(30);
  const header = format === 'csv' ? 'a,b,c' : format === 'tsv' ? 'a\tb\tc' : null;
  const parts: string[] = [];
  const lines: number[] = [];
  let line = 1;
  if (header !== null) {
    parts.push(header + '\n');
    line++;
  }
  // the first line end decides (#15.5): a document of lone CRs (old Mac files), or of LF and CRLF
  const macEnds = r.chance(0.05);
  if (macEnds && header !== null) parts[0] = header + '\r';
  for (let i = 0; i < n; i++) {
    if (format !== 'lines' && r.chance(0.1)) { // blank lines are no units (except for `lines`)
      const blank = r.chance(0.5) || format === 'csv' || format === 'tsv' ? '' : ' \t';
      parts.push(blank + (macEnds ? '\r' : '\n'));
      line++;
    }
    const end = i === n - 1 && r.chance(0.3) ? '' : macEnds ? '\r' : r.chance(0.2) ? '\r\n' : '\n';
    let unit = unitText(r, format);
    // a byte order mark that opens the input is not text: a first unit of only one, with nothing
    // after it, is an empty input (no unit)
    if (parts.length === 0 && unit === '\ufeff') unit += 'x';
    parts.push(unit + end);
    lines.push(line++);
  }
  return { text: parts.join(''), lines };
}
