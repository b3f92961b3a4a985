import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

describe('parse json', () => {
  const p = parser('json');

  it('returns the object as it is', () => {
    expect(p.parse('{"a":1,"b":{"c":[true,null]},"d":"x"}')).toEqual({ a: 1, b: { c: [true, null] }, d: 'x' });
    expect(p.parse('  {}  ')).toEqual({});
  });

  it('refuses JSON that is not an object', () => {
    for (const text of ['[1,2]', '"text"', '42', 'null', 'true']) expect(p.parse(text)).toBe('not a JSON object');
  });

  it('reports text that is not JSON', () => {
    for (const text of ['', '{', '{"a":}', "{'a':1}", 'level=info', '{"a":1}{"b":2}']) expect(p.parse(text)).toBe('invalid JSON');
  });

  it('keeps a __proto__ key as an ordinary field', () => {
    const r = p.parse('{"__proto__":{"x":1}}');
    expect(typeof r).toBe('object');
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(JSON.stringify(r)).toBe('{"__proto__":{"x":1}}');
  });

  it('does not infer or change values', () => {
    expect(parser('json', undefined, false).parse('{"n":"42","m":42}')).toEqual({ n: '42', m: 42 });
  });
});
