// The fuzzers must be able to fail: a decoder with a planted bug is caught (as a crash, or as
// the known bug its input explains), and known.ts attributes a failure only when its cure passes.

import { describe, expect, it } from 'vitest';
import type { DecoderFactory } from '../../src/formats/types.js';
import { decoders } from '../../src/formats/index.js';
import { runTarget } from './engine.js';
import { explain, type KnownBug } from './known.js';
import { allTargets, decoderTarget, type Target } from './targets.js';
import { ndjsonFormat } from '../../src/formats/ndjson.js';

const ndjson = allTargets().find((t) => t.name === 'ndjson')!;

// The cure of #15.4 (numbers a double cannot hold), fixed since, as an example of a known bug.
const N4 = '#15.4 numbers out of range';
const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?/g;
/** 16 digits or more, or an exponent of 3 digits or more: beyond what a double holds exactly, or at all */
const isBig = (n: string) => /\d{16,}|[eE][+-]?\d{3,}/.test(n);
const bigNumbers: KnownBug = {
  label: N4,
  matches: (s) => (s.match(NUMBER) ?? []).some(isBig) || /\b(?:NaN|Infinity)\b/.test(s),
  cure: (s) => {
    // again until nothing changes: `1e400e400` is `1e400` once the first is replaced
    for (let prev = ''; prev !== s; ) {
      prev = s;
      s = s.replace(NUMBER, (n) => (isBig(n) ? '1' : n)).replace(/\b(?:NaN|Infinity)\b/g, '1');
    }
    return s;
  },
};

/** The ndjson target with its decoder swapped for `factory` (the inputs stay the same). */
const withDecoder = (factory: DecoderFactory): Target => decoderTarget('ndjson', factory, ndjsonFormat.sample);

describe('the fuzz engine', () => {
  it('passes the real ndjson decoder', () => {
    const tally = runTarget(ndjson, 5, 0, 200, 2000);
    expect(tally.crashes).toEqual([]);
  });

  it('catches a decoder that loses a bad line', () => {
    const lossy: DecoderFactory = (src, opts, bad, now) => decoders.ndjson(src, opts, (raw, reason, line) => (line === 2 ? undefined : bad(raw, reason, line)), now);
    const tally = runTarget(withDecoder(lossy), 5, 0, 300, 2000);
    expect(tally.crashes.length).toBeGreaterThan(0);
    expect(tally.crashes[0]!.what).toMatch(/units on lines|reads differently/);
  });

  it('catches a decoder that throws, and says which input to run again', () => {
    const thrower: DecoderFactory = (src, opts, bad, now) => {
      const d = decoders.ndjson(src, opts, bad, now);
      return { ...d, write: (chunk, out) => { if (chunk.includes('true')) throw new TypeError('planted'); d.write(chunk, out); } };
    };
    const tally = runTarget(withDecoder(thrower), 5, 0, 300, 2000);
    expect(tally.crashes.length).toBeGreaterThan(0);
    const f = tally.crashes[0]!;
    expect(f.what).toMatch(/^threw TypeError: planted/);
    expect(JSON.stringify(ndjson.input(5, f.index).text)).toContain('true');
  });

  it('counts a failure as a known bug only when the cured input passes', () => {
    const failsOnBig = (s: string) => s.includes('1e400');
    expect(explain('[1e400]', 'json', failsOnBig, [bigNumbers])).toEqual({ labels: [N4] });
    const failsOnX = (s: string) => s.includes('x');
    expect(explain('x 1e400', 'json', failsOnX, [bigNumbers])).toEqual({ cured: 'x 1' });
  });
});

describe('known-bug cures', () => {
  it('a cure takes out every trigger, whatever its shape (#15.4 as the example)', () => {
    const fails = (s: string) => /\d{16,}|[eE][+-]?\d{3}/.test(s);
    for (const text of ['[-2374623746732768944798E23246327846]', '1e400[1', '[123121e100000]21]', 'x 1.5e+9999 12345678901234567890.5', '1e400e400[1e400', '[123123e10000023123e100000]']) {
      expect(explain(text, 'json', fails, [bigNumbers])).toEqual({ labels: [N4] });
    }
  });
});
