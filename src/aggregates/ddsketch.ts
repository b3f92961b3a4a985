// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with relative-error
// guarantees. A positive value x falls into bucket i = ⌈log_γ x⌉, which covers (γ^(i−1), γ^i],
// with γ = (1+α)/(1−α); answering with 2γ^i/(γ+1) is then within α of every value in the
// bucket. Negative values use a second store keyed by |x|, zeros are counted apart. With
// α = 1% a bucket spans about 2% of magnitude, so data spanning six orders of magnitude needs
// ~700 buckets. Buckets are never collapsed: the 1% guarantee holds at every rank, and the
// store still stays bounded (all finite doubles span ~72k buckets per sign).
//
// The exact minimum and maximum are kept too, and answers are clamped to them, so rank 0 and
// rank n−1 come out exact.

export const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LN_GAMMA = Math.log(GAMMA);
const INV_LN_GAMMA = 1 / LN_GAMMA;
const REPRESENTATIVE = 2 / (1 + GAMMA);

/** A store for a checkpoint: the counts of buckets minIdx..maxIdx, and their total. */
type StoreState = [minIdx: number, counts: Float64Array, total: number];

/** A sketch for a checkpoint. */
export type DDSketchState = [pos: StoreState, neg: StoreState, zeros: number, count: number, min: number, max: number];

/** Bucket counts over a contiguous index range that grows as needed. */
class DenseStore {
  counts = new Float64Array(0);
  /** bucket index of counts[0] */
  offset = 0;
  minIdx = Infinity;
  maxIdx = -Infinity;
  total = 0;

  add(idx: number, n: number): void {
    if (idx < this.offset || idx >= this.offset + this.counts.length) this.extend(idx);
    this.counts[idx - this.offset]! += n;
    this.total += n;
    if (idx < this.minIdx) this.minIdx = idx;
    if (idx > this.maxIdx) this.maxIdx = idx;
  }

  private extend(idx: number): void {
    const old = this.counts;
    if (old.length === 0) {
      this.counts = new Float64Array(128);
      this.offset = idx - 64;
      return;
    }
    const lo = Math.min(idx, this.minIdx);
    const hi = Math.max(idx, this.maxIdx);
    const span = hi - lo + 1;
    const size = Math.max(span * 2, old.length * 2);
    const offset = lo - ((size - span) >> 1);
    const counts = new Float64Array(size);
    counts.set(old.subarray(this.minIdx - this.offset, this.maxIdx - this.offset + 1), this.minIdx - offset);
    this.counts = counts;
    this.offset = offset;
  }

  merge(o: DenseStore): void {
    for (let i = o.minIdx; i <= o.maxIdx; i++) {
      const n = o.counts[i - o.offset]!;
      if (n !== 0) this.add(i, n);
    }
  }

  /** The used range, a view on the live counts without the spare room: serialized at once. */
  save(): StoreState {
    if (this.minIdx > this.maxIdx) return [0, new Float64Array(0), 0];
    return [this.minIdx, this.counts.subarray(this.minIdx - this.offset, this.maxIdx - this.offset + 1), this.total];
  }

  /** Into a fresh store; copies the counts (a deserialized array is a view into its input). */
  load([minIdx, counts, total]: StoreState): void {
    if (counts.length === 0) return;
    this.counts = counts.slice();
    this.offset = minIdx;
    this.minIdx = minIdx;
    this.maxIdx = minIdx + counts.length - 1;
    this.total = total;
  }
}

export class DDSketch {
  private pos = new DenseStore();
  private neg = new DenseStore();
  private zeros = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  /** adds a finite number */
  add(x: number): void {
    this.count++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (x > 0) this.pos.add(Math.ceil(Math.log(x) * INV_LN_GAMMA), 1);
    else if (x < 0) this.neg.add(Math.ceil(Math.log(-x) * INV_LN_GAMMA), 1);
    else this.zeros++;
  }

  merge(o: DDSketch): void {
    this.pos.merge(o.pos);
    this.neg.merge(o.neg);
    this.zeros += o.zeros;
    this.count += o.count;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  save(): DDSketchState {
    return [this.pos.save(), this.neg.save(), this.zeros, this.count, this.min, this.max];
  }

  /** Into a fresh sketch. */
  load([pos, neg, zeros, count, min, max]: DDSketchState): void {
    this.pos.load(pos);
    this.neg.load(neg);
    this.zeros = zeros;
    this.count = count;
    this.min = min;
    this.max = max;
  }

  /** The value at 0-based `rank` in ascending order, within ALPHA relative error; 0 ≤ rank < count. */
  valueAtRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    let seen = 0;
    const neg = this.neg;
    for (let i = neg.maxIdx; i >= neg.minIdx; i--) {
      seen += neg.counts[i - neg.offset]!;
      if (seen > rank) return this.clamp(-Math.exp(i * LN_GAMMA) * REPRESENTATIVE);
    }
    seen += this.zeros;
    if (seen > rank) return 0;
    const pos = this.pos;
    for (let i = pos.minIdx; i <= pos.maxIdx; i++) {
      seen += pos.counts[i - pos.offset]!;
      if (seen > rank) return this.clamp(Math.exp(i * LN_GAMMA) * REPRESENTATIVE);
    }
    return this.max;
  }

  private clamp(v: number): number {
    return Math.min(Math.max(v, this.min), this.max);
  }
}
