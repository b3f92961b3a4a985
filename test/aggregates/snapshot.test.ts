// save()/load() for every registered aggregate, as a checkpoint uses them: an accumulator
// saved at random points, sent through v8.serialize/v8.deserialize and loaded into a fresh
// one must go on exactly as one that was never stopped (results deep-equal, -0 and NaN
// included), through more values, merges either way and further save/load cycles, in every
// regime: small mixed input, the sparse HyperLogLog growing and going dense, the exact
// percentile array filling up and moving into the DDSketch.

import v8 from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DDSketch } from '../../src/aggregates/ddsketch.js';
import { HyperLogLog } from '../../src/aggregates/hyperloglog.js';
import { aggregateList } from '../../src/aggregates/index.js';
import { numericValue } from '../../src/aggregates/numeric.js';
import { EXACT_LIMIT } from '../../src/aggregates/percentile.js';
import type { Accumulator, AggregateSpec } from '../../src/aggregates/types.js';
import type { Value } from '../../src/core/event.js';
import { rng } from './helpers.js';

/** Constant parameters to try: each aggregate runs with every one its checkParams accepts. */
const PARAM_CANDIDATES: Value[][] = [[], [1], [3], [0], [37.5], [100]];

interface Case {
  spec: AggregateSpec;
  params: Value[];
  argCount: number;
  label: string;
}

const cases: Case[] = aggregateList.flatMap((spec) => {
  const accepted = PARAM_CANDIDATES.filter((p) => (spec.checkParams ? spec.checkParams(p) === null : p.length === 0));
  const out: Case[] = [];
  for (let argCount = spec.minArgs; argCount <= spec.maxArgs; argCount++) {
    for (const params of accepted) {
      const args = [...(argCount > 0 ? ['x'] : []), ...params.map((p) => JSON.stringify(p))];
      out.push({ spec, params, argCount, label: `${spec.name}(${args.join(', ')})` });
    }
  }
  return out;
});

const fresh = (c: Case): Accumulator => c.spec.fresh(c.params, c.argCount);

const readHostObject = (v8.DefaultDeserializer.prototype as unknown as { _readHostObject(): NodeJS.TypedArray })._readHostObject;

/**
 * v8.deserialize that keeps the typed arrays it returns. v8.deserialize returns an aligned
 * typed array as a view into its input, an unaligned one as a copy; here every one is a copy
 * that the test clears after load(), so an accumulator that keeps a deserialized typed array
 * instead of copying it is caught whatever the alignment.
 */
class KeepingDeserializer extends v8.DefaultDeserializer {
  readonly typedArrays: NodeJS.TypedArray[] = [];
  _readHostObject(): NodeJS.TypedArray {
    const copy = readHostObject.call(this).slice();
    this.typedArrays.push(copy);
    return copy;
  }
}

/** A checkpoint and a restart: save, serialize, deserialize, load into a fresh accumulator. */
function roundTrip(c: Case, acc: Accumulator): Accumulator {
  const d = new KeepingDeserializer(v8.serialize(acc.save()));
  d.readHeader();
  const state: unknown = d.readValue();
  const copy = fresh(c);
  copy.load(state);
  // zeros (garbage could make a hash table probe forever)
  for (const t of d.typedArrays) new Uint8Array(t.buffer, t.byteOffset, t.byteLength).fill(0);
  return copy;
}

function feed(acc: Accumulator, vs: readonly (Value | undefined)[], from: number, to: number, seq0: number | null): void {
  for (let i = from; i < to; i++) acc.add(vs[i], seq0 === null ? undefined : seq0 + i);
}

/** All results equal the first (toEqual: Object.is on numbers, so -0 ≠ 0 and NaN = NaN). */
function expectSame(accs: Accumulator[], span: number | null, where: string): void {
  const results = accs.map((a) => {
    if (span !== null) a.setSpan?.(span);
    return a.result();
  });
  for (let i = 1; i < results.length; i++) expect(results[i], where).toEqual(results[0]);
}

interface Scenario {
  values: (Value | undefined)[];
  /** where to save; `look`: also compare results there (result() may sort) */
  cuts: { at: number; look: boolean; span: number | null }[];
  /** a third accumulator's input, merged in both directions */
  third: (Value | undefined)[];
  /** arrival numbers: main input from 0, the third's from thirdSeq0; null: add without seq */
  thirdSeq0: number | null;
  /**
   * for rate: the window span passed to setSpan before each of the four last results, or
   * none (a span set earlier stays, as it does on the accumulator)
   */
  spans: (number | null)[];
  /** fed after the merges, with a save/load before it */
  tail: (Value | undefined)[];
}

/**
 * Three accumulators over the same input must agree throughout: `ref` is never saved, `live`
 * is saved (and serialized) at every cut and used on, `restored` is replaced at every cut by
 * its own round trip. Then merges with a third accumulator, into it and from it (a restored
 * third too), a last round trip and more input.
 */
function checkScenario(c: Case, s: Scenario): void {
  const seq0 = s.thirdSeq0 === null ? null : 0;
  const ref = fresh(c);
  const live = fresh(c);
  let restored = fresh(c);
  const cuts = s.cuts.map((k) => ({ ...k, at: k.at % (s.values.length + 1) })).sort((a, b) => a.at - b.at);
  let at = 0;
  for (const cut of cuts) {
    for (const acc of [ref, live, restored]) feed(acc, s.values, at, cut.at, seq0);
    at = cut.at;
    v8.serialize(live.save());
    restored = roundTrip(c, restored);
    if (cut.look) expectSame([ref, live, restored], cut.span, `${c.label} at cut ${cut.at}`);
  }
  for (const acc of [ref, live, restored]) feed(acc, s.values, at, s.values.length, seq0);
  expectSame([ref, live, restored], s.spans[0]!, `${c.label} after ${s.values.length} values`);

  const third = (): Accumulator => {
    const acc = fresh(c);
    feed(acc, s.third, 0, s.third.length, s.thirdSeq0);
    return acc;
  };
  const into = [ref, live, restored].map((acc) => {
    const t = third();
    t.merge(acc);
    return t;
  });
  const intoRestored = roundTrip(c, third());
  intoRestored.merge(restored);
  expectSame([...into, intoRestored], s.spans[1]!, `${c.label} merged into a third`);

  ref.merge(third());
  live.merge(third());
  restored.merge(roundTrip(c, third()));
  expectSame([ref, live, restored], s.spans[2]!, `${c.label} merged with a third`);

  v8.serialize(live.save());
  restored = roundTrip(c, restored);
  for (const acc of [ref, live, restored]) feed(acc, s.tail, 0, s.tail.length, s.thirdSeq0 === null ? null : 1000);
  expectSame([ref, live, restored], s.spans[3]!, `${c.label} after merges, a round trip and ${s.tail.length} more`);
}

// ---- small inputs of every type -------------------------------------------------------

const scalar: fc.Arbitrary<Value | undefined> = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.double(), // any double: -0, ±Infinity, NaN, subnormals, ±1.8e308
  fc.integer({ min: 1_700_000_000_000, max: 1_700_000_600_000 }), // event times, for rate
  fc.constantFrom<Value | undefined>(null, undefined, true, false, 0, -0, '', '7', '-2.5', '1e3', 'n/a', 'b', 'a'),
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 3 }), // astral characters
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)), maxLength: 2 }), // lone surrogates
);
const nested: fc.Arbitrary<Value> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Value>,
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), // repeats, for distinct and top
  fc.constantFrom<Value>(JSON.parse('{"__proto__":{"a":1},"2":"x","1":[-0]}') as Value, { a: { b: [1, { c: null }] } }),
);
const value = fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: nested });

const span = fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: null });
const cuts = (maxLength: number) => fc.array(fc.record({ at: fc.nat(), look: fc.boolean(), span }), { maxLength });
const spans = fc.array(span, { minLength: 4, maxLength: 4 });

const smallScenario: fc.Arbitrary<Scenario> = fc.record({
  values: fc.array(value, { maxLength: 60 }),
  cuts: cuts(4),
  third: fc.array(value, { maxLength: 15 }),
  thirdSeq0: fc.option(fc.integer({ min: -20, max: 80 }), { nil: null }),
  spans,
  tail: fc.array(value, { maxLength: 10 }),
});

// ---- large inputs from a seed (fast to make; shrinking is not worth it here) ------------

/** Mostly distinct numbers over many magnitudes, both signs, zeros, repeats, a few non-numbers. */
function numbers(seed: number, n: number): (Value | undefined)[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i): Value | undefined => {
    const u = r();
    if (u < 0.005) return null;
    if (u < 0.01) return 'n/a';
    if (u < 0.02) return u < 0.015 ? 0 : -0;
    if (u < 0.1) return (i * 7) % 50; // repeats
    if (u < 0.12) return `${Math.round(r() * 1000)}`; // numeric strings
    const x = Math.exp((r() - 0.3) * 25);
    return r() < 0.2 ? -x : x;
  });
}

/** The index after which an accumulator that counts finite numeric values holds `k` of them. */
function afterNumeric(vs: readonly (Value | undefined)[], k: number): number {
  let seen = 0;
  for (let i = 0; i < vs.length; i++) if (Number.isFinite(numericValue(vs[i])) && ++seen === k) return i + 1;
  return vs.length;
}

function largeScenario(minN: number, maxN: number): fc.Arbitrary<Scenario> {
  return fc
    .record({
      seed: fc.integer(),
      n: fc.integer({ min: minN, max: maxN }),
      thirdN: fc.integer({ min: 0, max: 3000 }),
      cuts: cuts(3),
      spans,
    })
    .map(({ seed, n, thirdN, cuts, spans }) => {
      const values = numbers(seed, n);
      // the exact percentile array full (EXACT_LIMIT values), and just past the switch
      const full = afterNumeric(values, EXACT_LIMIT);
      const extra = n > EXACT_LIMIT ? [{ at: full, look: true, span: null }, { at: full + 1, look: false, span: null }] : [];
      return {
        values,
        cuts: [...cuts, ...extra],
        third: numbers(seed + 1, thirdN),
        thirdSeq0: 5000,
        spans,
        tail: numbers(seed + 2, 500),
      };
    });
}

describe('save/load round trip through v8.serialize, for every registered aggregate', () => {
  it('covers every aggregate in the registry with valid parameters', () => {
    for (const spec of aggregateList) {
      expect(cases.some((c) => c.spec === spec), `${spec.name}: no accepted parameters in PARAM_CANDIDATES`).toBe(true);
    }
  });

  for (const c of cases) {
    describe(c.label, () => {
      it('small mixed inputs, random cuts, merges both ways', () => {
        fc.assert(fc.property(smallScenario, (s) => checkScenario(c, s)), { numRuns: 150 });
      });

      it('up to 5,000 values: sparse sketches growing, exact percentiles filling up', () => {
        fc.assert(fc.property(largeScenario(0, 5000), (s) => checkScenario(c, s)), { numRuns: 6 });
      });

      it(`${EXACT_LIMIT + 2000}+ values: dense HyperLogLog, DDSketch, cut at the switch`, () => {
        fc.assert(fc.property(largeScenario(EXACT_LIMIT + 2000, 2.5 * EXACT_LIMIT), (s) => checkScenario(c, s)), { numRuns: 3 });
      });
    });
  }
});

describe('sketch states restore bit for bit', () => {
  it('the large inputs above reach the sketches, and results tell -0 from 0', () => {
    const values = numbers(1, EXACT_LIMIT + 2000);
    const hll = aggregateList.find((s) => s.name === 'approx_distinct')!.fresh([], 1);
    const p50 = aggregateList.find((s) => s.name === 'p50')!.fresh([], 1);
    for (const v of values) {
      hll.add(v);
      p50.add(v);
    }
    expect(hll.save()).toBeInstanceOf(Uint8Array); // dense registers
    expect((p50.save() as unknown[])[2]).not.toBeNull(); // a DDSketch
    expect(() => expect(-0).toEqual(0)).toThrow();
  });

  it('DDSketch: same buckets and the same value at every rank sampled, after more values and merges', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 }), (seed, n1, n2) => {
        const r = rng(seed);
        const draw = (): number => (r() < 0.05 ? 0 : (r() < 0.3 ? -1 : 1) * Math.exp((r() - 0.5) * 60));
        const a = new DDSketch();
        for (let i = 0; i < n1; i++) a.add(draw());
        const b = new DDSketch();
        b.load(v8.deserialize(v8.serialize(a.save())));
        const other = new DDSketch();
        for (let i = 0; i < n2; i++) {
          const x = draw();
          a.add(x);
          b.add(x);
          other.add(draw() * 1e3);
        }
        a.merge(other);
        b.merge(other);
        expect(b.save()).toEqual(a.save());
        const step = Math.max(1, Math.floor(a.count / 400));
        for (let k = 0; k < a.count; k += step) expect(Object.is(b.valueAtRank(k), a.valueAtRank(k)), `rank ${k}`).toBe(true);
        expect(Object.is(b.valueAtRank(a.count - 1), a.valueAtRank(a.count - 1))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('HyperLogLog: same registers and the same unrounded estimate, sparse and dense', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 8000 }), (seed, n1, n2) => {
        const r = rng(seed);
        const word = (): number => (r() * 2 ** 32) | 0;
        const a = new HyperLogLog();
        for (let i = 0; i < n1; i++) a.addHash(word(), word());
        const b = new HyperLogLog();
        b.load(v8.deserialize(v8.serialize(a.save())));
        expect(b.isSparse).toBe(a.isSparse);
        for (let i = 0; i < n2; i++) {
          const hi = word();
          const lo = word();
          a.addHash(hi, lo);
          b.addHash(hi, lo);
        }
        expect(b.isSparse).toBe(a.isSparse);
        expect(b.estimate()).toBe(a.estimate());
        expect(b.histogram()).toEqual(a.histogram());
        expect(b.save()).toEqual(a.save());
      }),
      { numRuns: 40 },
    );
  });
});
