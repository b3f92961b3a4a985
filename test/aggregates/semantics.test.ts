import { describe, expect, it } from 'vitest';
import { aggregateList, aggregates } from '../../src/aggregates/index.js';
import { run, spec } from './helpers.js';

const OBJ = { a: 1 };
const ARR = [1, 2];

describe('registry', () => {
  it('lists every aggregate of DESIGN §3, once, in help order', () => {
    expect(aggregateList.map((s) => s.name)).toEqual([
      'count', 'sum', 'avg', 'min', 'max', 'first', 'last', 'distinct', 'approx_distinct',
      'p50', 'p90', 'p95', 'p99', 'percentile', 'stddev', 'var', 'collect', 'top', 'rate',
    ]);
    expect(aggregates.size).toBe(aggregateList.length);
    for (const s of aggregateList) expect(aggregates.get(s.name)).toBe(s);
  });

  it('gives every spec help text, arity and at least one example', () => {
    for (const s of aggregateList) {
      expect(s.summary.length, s.name).toBeGreaterThan(10);
      expect(s.summary, s.name).not.toMatch(/\n/);
      expect(s.usage.startsWith(`${s.name}(`), s.name).toBe(true);
      expect(s.description.length, s.name).toBeGreaterThan(60);
      expect(s.minArgs).toBe(s.name === 'count' || s.name === 'rate' ? 0 : 1);
      expect(s.maxArgs).toBe(s.name === 'rate' ? 0 : 1);
      expect(s.examples.length, s.name).toBeGreaterThan(0);
    }
  });

  it('states the error of the sketches', () => {
    expect(spec('approx_distinct').description).toMatch(/0\.81%/);
    for (const n of ['p50', 'p90', 'p95', 'p99', 'percentile']) expect(spec(n).description).toMatch(/1% relative error/);
  });
});

describe('checkParams', () => {
  it('rejects parameters on aggregates that take none', () => {
    for (const s of aggregateList) {
      if (s.name === 'percentile' || s.name === 'top') continue;
      expect(s.checkParams!([]), s.name).toBeNull();
      expect(s.checkParams!([3]), s.name).toMatch(/no parameters/);
    }
  });

  it('percentile needs one constant q in [0, 100]', () => {
    const check = spec('percentile').checkParams!;
    for (const q of [0, 0.1, 50, 99.9, 100]) expect(check([q])).toBeNull();
    expect(check([])).toMatch(/needs a constant q/);
    expect(check([50, 1])).toMatch(/needs a constant q/);
    for (const q of [-1, 100.5, '50', null, true, [50]]) expect(check([q]), JSON.stringify(q)).toMatch(/q must be a number from 0 to 100/);
  });

  it('top takes an optional positive integer k', () => {
    const check = spec('top').checkParams!;
    expect(check([])).toBeNull();
    expect(check([1])).toBeNull();
    expect(check([25])).toBeNull();
    for (const k of [0, -3, 2.5, '3', null]) expect(check([k]), JSON.stringify(k)).toMatch(/k must be a positive integer/);
    expect(check([3, 4])).toMatch(/one parameter/);
  });
});

describe('count', () => {
  it('count() counts records whatever the value', () => {
    expect(run('count', [undefined, null, undefined], [], 0)).toBe(3);
    expect(run('count', [], [], 0)).toBe(0);
  });
  it('count(x) counts non-null values of any type', () => {
    expect(run('count', [1, null, undefined, 'a', false, 0, '', OBJ, ARR, []])).toBe(8);
    expect(run('count', [])).toBe(0);
    expect(run('count', [null, undefined])).toBe(0);
  });
});

describe('sum and avg', () => {
  it('add numbers and numeric strings, skip the rest', () => {
    const vs = [1, '2', null, undefined, 'x', true, false, OBJ, ARR, '3.5', '-1e1', '', ' 4', '0x10', 'NaN', 'Infinity'];
    expect(run('sum', vs)).toBe(-3.5);
    expect(run('avg', vs)).toBe(-3.5 / 4);
  });
  it('are null with no numeric value, like SQL', () => {
    for (const name of ['sum', 'avg']) {
      expect(run(name, [])).toBeNull();
      expect(run(name, [null, undefined, 'abc', true])).toBeNull();
    }
  });
  it('sum 0 is 0, not null', () => {
    expect(run('sum', [0, -0])).toBe(0);
  });
  it('compensated summation keeps decimals and cancellations exact', () => {
    expect(run('sum', [0.1, 0.2, 0.3])).toBe(0.6);
    expect(run('sum', Array(10).fill(0.1))).toBe(1);
    expect(run('sum', [1e16, 1, -1e16])).toBe(1);
    expect(run('sum', [1, 1e100, 1, -1e100])).toBe(2);
    expect(run('avg', Array(1000).fill(0.1))).toBe(0.1);
  });
  it('integer sums are exact', () => {
    expect(run('sum', [2 ** 52, 1, 1, -(2 ** 52)])).toBe(2);
    expect(run('avg', [3, 4])).toBe(3.5);
  });
});

describe('min and max', () => {
  it('compare numbers numerically', () => {
    expect(run('min', [10, 9, 100, -2.5, null])).toBe(-2.5);
    expect(run('max', [10, 9, 100, -2.5, undefined])).toBe(100);
  });
  it('compare strings lexicographically when there are no numbers', () => {
    expect(run('min', ['b', 'a10', 'a9', null])).toBe('a10');
    expect(run('max', ['b', 'a10', 'a9'])).toBe('b');
    expect(run('max', ['9', '10'])).toBe('9');
    expect(run('min', ['', 'a'])).toBe('');
  });
  it('let numbers win over strings', () => {
    expect(run('min', ['a', 5, '0', 7])).toBe(5);
    expect(run('max', ['z', 5, '99', 7])).toBe(7);
  });
  it('skip booleans, arrays, objects and nulls; null when nothing is left', () => {
    expect(run('min', [true, false, OBJ, ARR, 3])).toBe(3);
    expect(run('max', [true, OBJ])).toBeNull();
    expect(run('min', [])).toBeNull();
    expect(run('max', [null, undefined])).toBeNull();
  });
});

describe('first and last', () => {
  it('take the first / last non-null value in arrival order', () => {
    const vs = [null, undefined, 0, 'b', null, OBJ, undefined];
    expect(run('first', vs)).toBe(0);
    expect(run('last', vs)).toBe(OBJ);
    expect(run('first', [false, true])).toBe(false);
    expect(run('last', [1, '', null])).toBe('');
  });
  it('are null for an empty or all-null group', () => {
    for (const name of ['first', 'last']) {
      expect(run(name, [])).toBeNull();
      expect(run(name, [null, undefined])).toBeNull();
    }
  });
});

describe('distinct', () => {
  it('compares by type and value, composites by JSON text', () => {
    expect(run('distinct', [1, 1.0, '1', true, 'true', null, undefined, -0, 0])).toBe(5);
    expect(run('distinct', [{ a: 1 }, { a: 1 }, { b: 1 }, '{"a":1}', [1], [1], '[1]', [], {}])).toBe(7);
    expect(run('distinct', [{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBe(2);
  });
  it('is 0 for an empty group', () => {
    expect(run('distinct', [])).toBe(0);
    expect(run('distinct', [null])).toBe(0);
  });
});

describe('approx_distinct', () => {
  it('is exact for small sets, with the same notion of equality as distinct', () => {
    expect(run('approx_distinct', [1, 1.0, '1', true, 'true', null, undefined, -0, 0])).toBe(5);
    expect(run('approx_distinct', [{ a: 1 }, { a: 1 }, '{"a":1}', [1], '[1]'])).toBe(4);
    const vs = Array.from({ length: 3000 }, (_, i) => `k${i % 1500}`);
    expect(run('approx_distinct', vs)).toBe(1500);
  });
  it('is 0 for an empty group', () => {
    expect(run('approx_distinct', [])).toBe(0);
    expect(run('approx_distinct', [null, undefined])).toBe(0);
  });
});

describe('percentiles', () => {
  const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  it('use the non-interpolated rank ⌊q/100·n⌋', () => {
    expect(run('p50', xs)).toBe(6);
    expect(run('p90', xs)).toBe(10);
    expect(run('p95', xs)).toBe(10);
    expect(run('p99', xs)).toBe(10);
    expect(run('percentile', xs, [0])).toBe(1);
    expect(run('percentile', xs, [10])).toBe(2);
    expect(run('percentile', xs, [25])).toBe(3);
    expect(run('percentile', xs, [100])).toBe(10);
    expect(run('p50', [1, 2, 3, 4])).toBe(3);
    expect(run('p50', [42])).toBe(42);
  });
  it('take numeric strings, skip other values, null when empty', () => {
    expect(run('p50', ['3', 1, 'x', null, true, OBJ, undefined, 2])).toBe(2);
    expect(run('p99', [])).toBeNull();
    expect(run('percentile', ['a', null], [50])).toBeNull();
  });
  it('sort negatives, zeros and fractions numerically', () => {
    expect(run('percentile', [-1, -10, 0, 2.5, 10, -0.5], [0])).toBe(-10);
    expect(run('percentile', [-1, -10, 0, 2.5, 10, -0.5], [50])).toBe(0);
    expect(run('percentile', [100, 9, 80], [50])).toBe(80);
  });
  it('answer again after more values arrive', () => {
    const acc = spec('p50').fresh([], 1);
    acc.add(1);
    acc.add(3);
    expect(acc.result()).toBe(3);
    acc.add(0);
    acc.add(-1);
    expect(acc.result()).toBe(1);
  });
});

describe('var and stddev', () => {
  it('are sample statistics (n − 1)', () => {
    expect(run('var', [1, 2, 3, 4, 5])).toBe(2.5);
    expect(run('stddev', [1, 2, 3, 4, 5])).toBe(Math.sqrt(2.5));
    expect(run('var', [2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(32 / 7, 14);
    expect(run('var', [7, 7, 7])).toBe(0);
  });
  it('are null for fewer than two values', () => {
    for (const name of ['var', 'stddev']) {
      expect(run(name, [])).toBeNull();
      expect(run(name, [5])).toBeNull();
      expect(run(name, [5, null, 'x', true])).toBeNull();
    }
  });
  it('take numeric strings and stay accurate with a large offset', () => {
    expect(run('var', ['1', 2, '3', null, 'x'])).toBe(1);
    const big = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(run('var', big)).toBeCloseTo(30, 6);
  });
});

describe('collect', () => {
  it('keeps non-null values in arrival order, an empty array when none', () => {
    expect(run('collect', [1, null, 'a', undefined, OBJ, false])).toEqual([1, 'a', OBJ, false]);
    expect(run('collect', [])).toEqual([]);
  });
  it('returns a fresh array each time', () => {
    const acc = spec('collect').fresh([], 1);
    acc.add(1);
    const r = acc.result() as number[];
    r.push(99);
    expect(acc.result()).toEqual([1]);
  });
});

describe('top', () => {
  it('lists the k most frequent values, ties by first appearance', () => {
    const vs = ['b', 'a', 'c', 'a', 'c', null, 'd', undefined];
    expect(run('top', vs, [2])).toEqual([{ value: 'a', count: 2 }, { value: 'c', count: 2 }]);
    expect(run('top', vs, [10])).toEqual([
      { value: 'a', count: 2 }, { value: 'c', count: 2 }, { value: 'b', count: 1 }, { value: 'd', count: 1 },
    ]);
  });
  it('defaults to k = 10', () => {
    const vs = Array.from({ length: 15 }, (_, i) => i);
    expect((run('top', vs) as unknown[]).length).toBe(10);
  });
  it('compares by type and value, composites by JSON text', () => {
    expect(run('top', [1, '1', 1, { a: 1 }, '{"a":1}', { a: 1 }], [5])).toEqual([
      { value: 1, count: 2 }, { value: { a: 1 }, count: 2 }, { value: '1', count: 1 }, { value: '{"a":1}', count: 1 },
    ]);
  });
  it('is an empty array for an empty group', () => {
    expect(run('top', [])).toEqual([]);
    expect(run('top', [null], [3])).toEqual([]);
  });
});

describe('merge guard', () => {
  it('refuses to merge accumulators of different aggregates', () => {
    const a = spec('sum').fresh([], 1);
    expect(() => a.merge(spec('avg').fresh([], 1))).toThrow(/internal/);
    const p = spec('percentile').fresh([50], 1);
    expect(() => p.merge(spec('percentile').fresh([90], 1))).toThrow(/internal/);
  });
});
