import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

describe('parse regex', () => {
  it('turns named groups into fields, in group order, inferring numbers', () => {
    const p = parser('regex', '(?<ip>\\S+) (?<method>[A-Z]+) (?<path>\\S+) (?<status>\\d{3}) (?<ms>[\\d.]+)ms');
    expect(p.parse('10.0.0.7 GET /api/orders 200 12.5ms')).toEqual({ ip: '10.0.0.7', method: 'GET', path: '/api/orders', status: 200, ms: 12.5 });
  });

  it('searches anywhere in the text unless anchored', () => {
    expect(parser('regex', 'user=(?<user>\\w+)').parse('login ok user=ann from web')).toEqual({ user: 'ann' });
    expect(parser('regex', '^user=(?<user>\\w+)').parse('login ok user=ann')).toBe('no match');
  });

  it('gives null for a group that did not take part in the match', () => {
    const p = parser('regex', '(?<a>x)|(?<b>y)');
    expect(p.parse('y')).toEqual({ a: null, b: 'y' });
  });

  it('keeps strings with --no-infer', () => {
    expect(parser('regex', '(?<n>\\d+)', false).parse('n 0042 42')).toEqual({ n: '0042' });
    expect(parser('regex', '(?<n>\\d+) (?<m>\\d+)', false).parse('1 2')).toEqual({ n: '1', m: '2' });
  });

  it('reports no match', () => {
    expect(parser('regex', '(?<d>\\d+)').parse('no digits')).toBe('no match');
    expect(parser('regex', '(?<d>\\d+)').parse('')).toBe('no match');
  });

  it('compiles once and is reusable across calls', () => {
    const p = parser('regex', '(?<w>\\w+)');
    expect(p.parse('one')).toEqual({ w: 'one' });
    expect(p.parse('two')).toEqual({ w: 'two' });
  });

  it('rejects a bad argument in the factory with a clear message', () => {
    expect(() => parser('regex', '(?<ip>\\S+')).toThrow(/^invalid regular expression: Unterminated group$/);
    expect(() => parser('regex', '\\S+ (\\d+)')).toThrow(/no named groups/);
    expect(() => parser('regex', '(?<x>a)b')).not.toThrow();
    // patterns that need backtracking are refused: parse regex runs in linear time (issue #16)
    expect(() => parser('regex', '(?<x>a)(?=b)')).toThrow(/^unsupported regex .*lookahead and lookbehind/);
    expect(() => parser('regex', '(?<x>a)\\k<x>')).toThrow(/^unsupported regex .*backreferences/);
    expect(() => parser('regex', undefined)).toThrow(/needs a regular expression with named groups/);
    expect(() => parser('regex', '')).toThrow(/needs a regular expression with named groups/);
  });
});
