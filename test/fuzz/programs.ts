// Random programs from the grammar (DESIGN §3): stages from the operator registry, expressions
// over fields, literals, operators and the functions table (right arity mostly, wrong sometimes),
// and now and then a token dropped or added, so that some programs are wrong. A program either
// compiles, and then running it over random records never throws (a UsageError is refused only
// before the first record; bad records give DataError, exit 65, under --on-error fail), or is
// refused with a UsageError (exit 2) and a message; anything else would be exit 70.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregates } from '../../src/aggregates/index.js';
import { Stats } from '../../src/core/stats.js';
import { DataError, LimitError, UsageError } from '../../src/errors/errors.js';
import { compileProgram } from '../../src/plan/compile.js';
import { runText } from '../../src/plan/run-text.js';
import { functionList } from '../../src/lang/functions.js';
import type { Runner } from './cli.js';
import { jsonValue, randFor, type Rand } from './inputs.js';

const FIELDS = ['a', 'b', 'c', 'ts', 'msg', 'line', 'n', 'tags', 'a.b', 'tags[0]', 'tags[n]', '`user id`', 'req.headers.host'];
const METADATA = ['@line', '@file', '@timestamp', '@offset', '@key'];
const LITERALS = [
  '0', '1', '-1', '2.5', '1e3', '1e308', '0.1', '3', '"x"', "'y'", '""', '"a\\"b"', "'\\\\'", '"é😀"', 'true', 'false', 'null',
  '250ms', '10s', '5m', '1h', '1d', '/x/', '/^a.*b$/i', '/\\d+/', '[]', '[1, "a", null]', '{}', '{k: 1}', '{"q r": [a]}',
];
const BINARY = ['==', '!=', '<', '<=', '>', '>=', '&&', '||', 'and', 'or', '+', '-', '*', '/', '%', '??', '=~', '!~', 'in'];
const FORMATS = ['json', 'logfmt', 'csv', 'kv', 'nginx', 'apache', 'syslog', "regex '(?<w>\\w+)'", "regex '^(?<x>[^ ]*) (?<y>.*)$'"];

export function expr(r: Rand, depth = 0): string {
  if (depth > 4 || r.chance(0.3)) {
    const k = r.int(10);
    return k < 4 ? r.pick(FIELDS) : k < 5 ? r.pick(METADATA) : r.pick(LITERALS);
  }
  switch (r.int(8)) {
    case 0: case 1: return `${expr(r, depth + 1)} ${r.pick(BINARY)} ${expr(r, depth + 1)}`;
    case 2: return `${r.pick(['!', '-', 'not '])}${expr(r, depth + 1)}`;
    case 3: return `(${expr(r, depth + 1)})`;
    case 4: return `${expr(r, depth + 1)} ? ${expr(r, depth + 1)} : ${expr(r, depth + 1)}`;
    case 5: return `[${Array.from({ length: r.int(3) }, () => expr(r, depth + 1)).join(', ')}]`;
    default: {
      const f = r.pick(functionList);
      const max = Number.isFinite(f.maxArgs) ? f.maxArgs : f.minArgs + 2;
      const n = r.chance(0.9) ? f.minArgs + r.int(max - f.minArgs + 1) : r.int(4);
      return `${f.name}(${Array.from({ length: n }, () => expr(r, depth + 1)).join(', ')})`;
    }
  }
}

const name = (r: Rand) => r.pick(['a', 'b', 'x', 'out', 'a.b', '`odd key`']);

function aggregate(r: Rand): string {
  const spec = r.pick([...aggregates.values()]);
  const args: string[] = [];
  const n = r.chance(0.9) ? spec.minArgs + r.int(spec.maxArgs - spec.minArgs + 1) : r.int(3);
  for (let i = 0; i < n; i++) args.push(r.chance(0.7) ? r.pick(['a', 'n', 'b', 'msg']) : expr(r, 3));
  if ((spec.name === 'percentile' || spec.name === 'top') ? r.chance(0.9) : r.chance(0.05)) args.push(r.pick(['0.5', '0.99', '3', '1', '0', '-1', '"x"']));
  return `${spec.name}(${args.join(', ')})${r.chance(0.3) ? ` as ${name(r)}` : ''}`;
}

function aggregation(r: Rand): string {
  const aggs = Array.from({ length: 1 + r.int(3) }, () => aggregate(r)).join(', ');
  return `${aggs}${r.chance(0.5) ? ` by ${Array.from({ length: 1 + r.int(2) }, () => r.pick(['a', 'b', 'msg', 'tags[0]', 'lower(str(b))'])).join(', ')}` : ''}`;
}

function stage(r: Rand): string {
  switch (r.int(17)) {
    case 0: case 1: return `where ${expr(r)}`;
    case 2: return `filter ${expr(r)}`;
    case 3: return `select ${Array.from({ length: 1 + r.int(3) }, () => `${expr(r, 2)}${r.chance(0.5) ? ` as ${name(r)}` : ''}`).join(', ')}`;
    case 4: return `set ${Array.from({ length: 1 + r.int(3) }, () => `${name(r)} = ${expr(r, 1)}`).join(', ')}`;
    case 5: return `map {${Array.from({ length: r.int(3) }, () => `${r.pick(['a', 'b', '"k"'])}: ${expr(r, 2)}`).join(', ')}}`;
    case 6: return `drop ${Array.from({ length: 1 + r.int(2) }, () => r.pick(FIELDS.slice(0, 9))).join(', ')}`;
    case 7: return `rename ${r.pick(['a', 'b', 'ts', 'a.b'])} as ${name(r)}`;
    case 8: return `parse ${r.pick(FORMATS)}${r.chance(0.8) ? ` from ${r.pick(['msg', 'line', 'a', 'b'])}` : ''}`;
    case 9: return aggregation(r);
    case 10: {
      const spec = r.pick(['tumbling 1m', 'tumbling 10s', 'sliding 1m every 10s', 'session 30s', 'count 2', 'count 3 every 1', 'tumbling 0s', 'sliding 1s every 1ms']);
      return `window ${spec}${r.chance(0.8) ? ' on ts' : ''}${r.chance(0.2) ? ' allow 5s' : ''}${r.chance(0.2) ? r.pick([' emit changes', ' emit every 10s']) : ''} | ${aggregation(r)}`;
    }
    case 11: return `dedupe${r.chance(0.7) ? ` ${r.pick(['a', 'b', 'a, b', 'msg'])}` : ''}${r.chance(0.3) ? ' within 1m' : ''}`;
    case 12: return `${r.pick(['head', 'tail'])} ${r.pick(['0', '1', '3', '100', '-1', 'x'])}`;
    case 13: return `sample ${r.pick(['0.5', '100%', '10%', '0', '1', '2'])}`;
    case 14: return `sort ${Array.from({ length: 1 + r.int(2) }, () => `${r.pick(['a', 'b', 'n', 'ts', 'tags[0]'])}${r.pick(['', ' asc', ' desc'])}`).join(', ')}`;
    case 15: return `top ${r.pick(['1', '3', '0'])} by ${expr(r, 2)}`;
    default: return `assert ${expr(r)}${r.chance(0.5) ? ' else "bad record"' : ''}`;
  }
}

const NOISE = ['|', ',', '(', ')', '"', "'", '/', 'by', 'as', 'from', '=', '.', '[', ']', '{', '}', '@', '`', 'then', '\\', '😀', ' '];

/** Program `index` of run `seed`: 1–4 stages, now and then with a token dropped or added. */
export function program(seed: number, index: number): string {
  const r = randFor(seed, index);
  let text = Array.from({ length: 1 + r.int(4) }, () => stage(r)).join(' | ');
  if (r.chance(0.01)) { // a deep program (#16.9): nested parentheses, a chain of unary or binary operators
    const k = 1 + r.int(r.chance(0.5) ? 200 : 20_000);
    const deep = r.pick([`${'('.repeat(k)}a${')'.repeat(k)}`, `${'-'.repeat(k)}a`, Array(k).fill('a').join(' + '), `${'['.repeat(k)}${']'.repeat(k)}`]);
    text = `where ${deep} != null | ${text}`;
  }
  if (r.chance(0.15)) {
    const at = r.int(text.length + 1);
    text = r.chance(0.5) ? text.slice(0, at) + r.pick(NOISE) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + r.int(4));
  }
  return text;
}

/** NDJSON records for program `index`: the fields the generator uses, with random values, and a bad line now and then. */
export function records(seed: number, index: number): string {
  const r = randFor(seed ^ 0x5bd1e995, index);
  const n = r.int(40);
  const lines: string[] = [];
  const t0 = 1_714_564_800_000;
  for (let i = 0; i < n; i++) {
    if (r.chance(0.03)) {
      lines.push(r.pick(['{"a":', 'not json', '[1,']));
      continue;
    }
    const rec: Record<string, unknown> = {};
    for (const f of ['a', 'b', 'c', 'msg', 'line', 'n', 'tags', 'user id']) if (r.chance(0.6)) rec[f] = jsonValue(r, 1);
    if (r.chance(0.5)) rec.n = r.int(10);
    if (r.chance(0.4)) rec.msg = r.pick(['level=warn took=12ms', '1.2.3.4 - - [01/May/2024:12:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "c"', 'a,b', 'k: v', '<34>Oct 11 22:14:15 host su: x']);
    if (r.chance(0.8)) {
      const t = t0 + r.int(600_000) * (r.chance(0.1) ? -1 : 1);
      rec.ts = r.pick([t, new Date(t).toISOString(), Math.floor(t / 1000), 'yesterday', null]);
    }
    if (r.chance(0.2)) rec.a = { b: jsonValue(r, 2) };
    lines.push(JSON.stringify(rec));
  }
  return lines.join('\n') + (n > 0 ? '\n' : '');
}

export type ProgramOutcome =
  | { kind: 'refused' | 'ran' | 'bad data' | 'known'; what?: string }
  | { kind: 'crash'; what: string };

const COMPILE = { infer: true, time: { out: 'iso' as const }, idleMs: null, idlePartitionMs: null };
const HOOKS = { bad: () => undefined, late: () => undefined, assertFailed: () => undefined, warn: () => undefined };

/** Compile program `index` of run `seed` and, when it compiles, run it over its records. */
export async function checkProgram(seed: number, index: number): Promise<ProgramOutcome> {
  const text = program(seed, index);
  const where = `program ${JSON.stringify(text)}`;
  try {
    compileProgram(text, COMPILE, new Stats(), HOOKS);
  } catch (e) {
    if (e instanceof UsageError && e.message.length > 0 && !e.message.includes('\n')) return { kind: 'refused' };
    if (isDeep(text, e)) return { kind: 'known', what: '#16.9 deep programs' };
    return { kind: 'crash', what: `${where} not refused cleanly: ${describe(e)}` };
  }
  const input = records(seed, index);
  const onError = randFor(seed, index).chance(0.5) ? 'fail' : 'skip';
  try {
    const run = await runText(text, input, { onError, chunkSize: 1 + (index % 97) * 13 });
    const lines = run.output.split('\n').length - 1;
    if (onError === 'skip' && lines !== run.stats.recordsOut && !/\b(?:table|csv)\b/.test(text)) {
      return { kind: 'crash', what: `${where}: records out ${run.stats.recordsOut} but ${lines} lines written` };
    }
    return { kind: 'ran' };
  } catch (e) {
    if (e instanceof DataError && onError === 'fail') return { kind: 'bad data' };
    if (e instanceof LimitError) return { kind: 'known', what: '#15.6 window explosions' };
    if (isDeep(text, e)) return { kind: 'known', what: '#16.9 deep programs' };
    return { kind: 'crash', what: `${where} on ${JSON.stringify(input.slice(0, 300))} (--on-error ${onError}): ${describe(e)}` };
  }
}

/** A stack overflow on a program with a deep expression: #16.9. */
function isDeep(text: string, e: unknown): boolean {
  return e instanceof RangeError && /call stack/.test(e.message) && /[(\-[]{100}|(?: \+ a){100}/.test(text);
}

function describe(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? typeof e}: ${err?.message ?? String(e)} ${err?.stack?.split('\n').slice(1, 3).join(' | ') ?? ''}`;
}

/**
 * Program `index` through the command line (main() in process, or bin/sluice): exit 2 exactly
 * when the program is refused, else 0, 1 (only with an assert) or 65 (only under --on-error fail).
 */
export async function checkProgramCli(seed: number, index: number, run: Runner): Promise<string | null> {
  const text = program(seed, index);
  let refused = false;
  try {
    compileProgram(text, COMPILE, new Stats(), HOOKS);
  } catch {
    refused = true;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fuzz-'));
  try {
    writeFileSync(join(dir, 'records.ndjson'), records(seed, index));
    const skip = randFor(seed, index).chance(0.5);
    const r = await run(['-O', 'ndjson', ...(skip ? ['--on-error', 'skip'] : []), text, 'records.ndjson'], dir);
    if (r.status === 70 && isDeep(text, new RangeError(r.stderr))) return null; // #16.9 (counted by checkProgram)
    const allowed = refused ? [2] : [0, ...(/\bassert\b/.test(text) ? [1] : []), ...(skip ? [] : [65])];
    if (!allowed.includes(r.status)) return `program ${JSON.stringify(text)}: exit ${r.status}, expected ${allowed.join(' or ')}: ${r.stderr.slice(0, 300)}`;
    if (r.status === 2 && !/^sluice: \S/.test(r.stderr)) return `program ${JSON.stringify(text)}: refused without a message`;
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
