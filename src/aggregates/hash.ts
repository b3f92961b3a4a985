// A 64-bit hash of sluice values, for sketches (HyperLogLog). It follows MurmurHash3's
// x86_128 construction cut to two 32-bit lanes: each 32-bit input word is multiplied,
// rotated and xored into both lanes with different constants, the lanes feed each other,
// and the end applies murmur's fmix32 avalanche to each lane with cross-lane additions, so
// every output bit depends on every input bit (test/aggregates/hash.test.ts checks the
// avalanche and the spread over HyperLogLog registers). 32-bit Math.imul arithmetic only:
// no BigInt, no allocation.
//
// Strings are hashed over their UTF-16 code units, two per word, without encoding them;
// numbers over their IEEE-754 bits (-0 as 0); booleans as one word; arrays and objects over
// their JSON text. Each type has its own seed, so 1, "1" and true differ by construction.
// The result is written to `hashOut` ([0] high word, [1] low word) rather than returned.

import type { Value } from '../core/event.js';

export const hashOut = new Uint32Array(2);

// a DataView with explicit little-endian order: the same hash on every platform
const f64 = new DataView(new ArrayBuffer(8));

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;

const SEED_STRING = 0x1b873593;
const SEED_NUMBER = 0x5c4bcea9;
const SEED_BOOL = 0x2c1b3c6d;
const SEED_JSON = 0x7feb352d;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

let h1 = 0;
let h2 = 0;

function absorb(k: number): void {
  let k1 = Math.imul(k, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  h1 ^= Math.imul(k1, C2);
  h1 = (h1 << 19) | (h1 >>> 13);
  h1 = (h1 + h2) | 0;
  h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
  let k2 = Math.imul(k, C2);
  k2 = (k2 << 16) | (k2 >>> 16);
  h2 ^= Math.imul(k2, C3);
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (h2 + h1) | 0;
  h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
}

function finish(len: number): void {
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  hashOut[0] = h1;
  hashOut[1] = h2;
}

export function hashString(s: string, seed: number = SEED_STRING): void {
  h1 = seed;
  h2 = ~seed;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) absorb(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) {
    // tail: one code unit, mixed into the lanes without the block's rotate-and-add (as murmur)
    const k = s.charCodeAt(i);
    let k1 = Math.imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    let k2 = Math.imul(k, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
  }
  finish(n);
}

export function hashNumber(x: number): void {
  f64.setFloat64(0, x === 0 ? 0 : x, true);
  h1 = SEED_NUMBER;
  h2 = ~SEED_NUMBER;
  absorb(f64.getInt32(0, true));
  absorb(f64.getInt32(4, true));
  finish(8);
}

/** Hashes any non-null value into hashOut. */
export function hashValue(v: Value): void {
  if (typeof v === 'string') hashString(v);
  else if (typeof v === 'number') hashNumber(v);
  else if (typeof v === 'boolean') {
    h1 = SEED_BOOL;
    h2 = ~SEED_BOOL;
    absorb(v ? 1 : 0);
    finish(1);
  } else hashString(JSON.stringify(v), SEED_JSON);
}
