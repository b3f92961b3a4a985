import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogfmt } from '../../src/formats/logfmt.js';
import { parser } from './helpers.js';

describe('parse logfmt', () => {
  const p = parser('logfmt');

  it('reads a typical application line', () => {
    expect(p.parse('ts=2024-05-01T12:00:03Z level=info service=api msg="GET /orders 200" latency_ms=12 cache_hit=false')).toEqual({
      ts: '2024-05-01T12:00:03Z', level: 'info', service: 'api', msg: 'GET /orders 200', latency_ms: 12, cache_hit: false,
    });
  });

  it('decodes escapes in quoted values and keeps them strings', () => {
    expect(p.parse('k=v k2="quoted \\" v" flag')).toEqual({ k: 'v', k2: 'quoted " v', flag: true });
    expect(p.parse('a="line1\\nline2\\ttab \\\\ \\u00e9 \\q"')).toEqual({ a: 'line1\nline2\ttab \\ é \\q' });
    expect(p.parse('n="42" m=42 e=')).toEqual({ n: '42', m: 42, e: '' });
  });

  it('keeps = inside an unquoted value, and the last of repeated keys', () => {
    expect(p.parse('url=/search?q=a&page=2 a=1 a=2')).toEqual({ url: '/search?q=a&page=2', a: 2 });
  });

  it('accepts any blank space and tabs between pairs', () => {
    expect(p.parse('  \ta=1\t\tb=x   ')).toEqual({ a: 1, b: 'x' });
  });

  it('keeps strings with --no-infer', () => {
    expect(parser('logfmt', undefined, false).parse('a=1 b=true c=0x1F d')).toEqual({ a: '1', b: 'true', c: '0x1F', d: true });
  });

  it('treats __proto__ as an ordinary key', () => {
    const r = p.parse('__proto__=1 b=2');
    expect(JSON.stringify(r)).toBe('{"__proto__":1,"b":2}');
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  it('gives reasons for lines that are not logfmt', () => {
    expect(p.parse('')).toBe('no key=value pair');
    expect(p.parse('   ')).toBe('no key=value pair');
    expect(p.parse('connection reset by peer')).toBe('no key=value pair');
    expect(p.parse('level=info msg="cut off')).toBe("unterminated quoted value for key 'msg'");
    expect(p.parse('a=1 =2')).toBe("missing key before '=' at column 5");
    expect(p.parse('a=1 "b"=2')).toBe('unexpected \'"\' in key at column 5');
    expect(p.parse('a="x"y')).toBe("expected a space after the quoted value of 'a' at column 6");
  });

  it('reads back what a logfmt writer produces (property)', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_.]{0,8}$/);
    const value = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 6, selector: ([k]) => k }), (pairs) => {
        const line = pairs.map(([k, v]) => `${k}=${/^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v)}`).join(' ');
        expect(parseLogfmt(line, false)).toEqual(Object.fromEntries(pairs));
      }),
    );
  });
});
