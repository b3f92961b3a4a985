// User regexes run in linear time (issue #16 item 7): V8's linear engine takes over from
// backtracking, the i flag is rewritten away (the linear engine has no case folding), and
// patterns that need backtracking are refused.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCase, tryUserRegex, userRegex } from '../../src/lang/regex.js';
import { exprCompiler } from '../../src/lang/compiler.js';
import { parseExpression } from '../../src/lang/parser.js';
import { makeEvent, type Value } from '../../src/core/event.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How long f takes, in ms. */
function timed(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

// letters whose case is tricky in JavaScript's i without u: ß has no one-letter upper case,
// ſ (long s) and K (Kelvin) upper-case to ASCII only across the ASCII line, σ/ς/Σ share a class
const chars = ['a', 'A', 'b', 'k', 'K', 's', 'S', 'z', 'é', 'É', 'ß', 'ſ', '\u212a', 'σ', 'ς', 'Σ', 'İ', 'ı', 'i', '1', '_', '-', ' ', 'µ', 'Μ', 'μ', 'ǅ', 'ǆ', 'Ǆ'];
const char = fc.constantFrom(...chars);
const esc = (c: string) => (/[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c);
const classItem = fc.oneof(
  char.map(esc),
  fc.constantFrom('a-z', 'A-Z', 'à-ÿ', '\\w', '\\d', '\\s', '\\W', '\\x41', '\\u00e9', '\\u212a', 'ß-ſ', '\\b', 'Α-ω', '\\x00-\\x40'),
);
const atom: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: char.map(esc) },
  { weight: 1, arbitrary: fc.constantFrom('.', '\\w', '\\W', '\\d', '\\s', '\\b', '\\B', '^', '$', '\\x4B', '\\u017f', '\\u212A', '\\k', '\\q') },
  { weight: 2, arbitrary: fc.tuple(fc.boolean(), fc.array(classItem, { minLength: 0, maxLength: 4 })).map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`) },
);
const piece = fc.tuple(atom, fc.constantFrom('', '', '*', '+', '?', '{0,2}', '+?')).map(([a, q]) => (/^[\^$]|\\[bB]$/.test(a) ? a : a + q));
const pattern: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small' },
    fc.array(piece, { minLength: 1, maxLength: 5 }).map((ps) => ps.join('')),
    fc.tuple(tie('p'), tie('p')).map(([a, b]) => `${a}|${b}`),
    fc.tuple(tie('p'), fc.constantFrom('(', '(?:')).map(([a, open]) => `${open}${a})`),
  ),
})).p.chain((p) => fc.constantFrom(p, `(?<g>${p})`)).filter((p) => {
  try {
    return new RegExp(p, 'i') !== null; // (\k is an error once a pattern has named groups)
  } catch {
    return false;
  }
});
const subject = fc.array(char, { maxLength: 12 }).map((cs) => cs.join(''));

describe('the i flag, rewritten for the linear engine', () => {
  it('matches exactly as JavaScript /…/i does (random patterns and texts)', () => {
    fc.assert(
      fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 6 }), (p, texts) => {
        const native = new RegExp(p, 'i');
        const ours = userRegex(p, 'i');
        expect(ours.flags).not.toContain('i');
        for (const s of texts) {
          const a = native.exec(s);
          const b = ours.exec(s);
          expect(b === null ? null : { m: [...b], i: b.index, g: b.groups }).toEqual(a === null ? null : { m: [...a], i: a.index, g: a.groups });
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves escapes, groups and quantifiers alone', () => {
    expect(foldCase('\\d{2,3}\\w+(?<name>x)(?:1)\\b')).toBe('\\d{2,3}\\w+(?<name>[\\u0058\\u0078])(?:1)\\b');
    expect(foldCase('[a-c]')).toBe('[\\u0041-\\u0043\\u0061-\\u0063]');
  });
});

describe('linear time', () => {
  const evil = 'a'.repeat(40) + 'b';

  it.each([
    ['(a+)+$', ''],
    ['(a+)+$', 'i'],
    ['(a|aa)+$', ''],
    ['(a*)*b$', 'm'],
    ['^(\\w+\\s?)*$', ''],
  ])('%s /%s on 40 a and a b: milliseconds, not hours', (p, flags) => {
    const re = userRegex(p, flags);
    expect(timed(() => expect(re.test(evil + '!')).toBe(false))).toBeLessThan(1000);
  });

  it('a pattern from the data runs in linear time too', () => {
    const text = 'line =~ pat';
    const counter = { n: 0 };
    const fn = exprCompiler({ text, typeError: () => counter.n++, aggregateNames: new Set() }).predicate(parseExpression(text));
    const rec: Value = { line: evil, pat: '(a+)+$' };
    expect(timed(() => expect(fn(rec, makeEvent(rec, undefined, { name: 'f' }, 1, 0))).toBe(false))).toBeLessThan(1000);
    // one the linear engine cannot run is a counted type error, not a slow match
    const bad: Value = { line: evil, pat: '(a+)+\\1$' };
    expect(fn(bad, makeEvent(bad, undefined, { name: 'f' }, 1, 0))).toBe(false);
    expect(counter.n).toBe(1);
  });

  it.each([
    ['(a)\\1', '', /backreferences/],
    ['(?<x>a)\\k<x>', '', /backreferences/],
    ['a(?=b)', '', /lookahead and lookbehind/],
    ['a(?!b)', '', /lookahead and lookbehind/],
    ['(?<!a)b', '', /lookahead and lookbehind/],
    ['[0-9a-f]{32}', '', /counted repetition is limited to 16/],
    ['x', 'u', /the u flag is not supported/],
    ['a(', '', /^invalid regex: \/a\(\/: Unterminated group/],
  ])('refuses %s /%s', (p, flags, why) => {
    expect(() => userRegex(p, flags)).toThrow(why);
    expect(tryUserRegex(p, flags)).toBe(null);
  });

  it('SIGINT stops sluice at once while it matches catastrophic lines', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice'), '-I', 'lines', 'where line =~ "(a+)+$" | count()'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const line = 'a'.repeat(30) + 'b\n';
    // keep feeding lines until the signal has been answered
    const feed = setInterval(() => child.stdin.write(line.repeat(200)), 5);
    child.stdin.on('error', () => {});
    // on a loaded machine Node may take longer than any fixed delay to install its SIGINT handler:
    // wait for it (Linux tells in /proc), then a little more so that matching is under way
    await handlerInstalled(child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    const sent = performance.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearInterval(feed);
    expect(code).toBe(130);
    expect(performance.now() - sent).toBeLessThan(3000);
  });
});

/** Resolves once the process catches SIG (SigCgt in /proc/PID/status), or after 700 ms where /proc is not there. */
async function handlerInstalled(pid: number, sig: 'SIGINT'): Promise<void> {
  const bit = 1n << BigInt(osConstants.signals[sig] - 1);
  const deadline = Date.now() + 20_000;
  for (;;) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      await new Promise((r) => setTimeout(r, 700));
      return;
    }
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status);
    if (m === null || (BigInt(`0x${m[1]}`) & bit) !== 0n || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
