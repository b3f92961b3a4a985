// Session windows, per key: a record at t alone is [t, t+GAP); it merges with every open
// session of its key that it overlaps (so a late record can bridge two sessions into one); a
// session is due once the watermark reaches its end, and is then gone. The state of a session
// belongs to the caller (a group of accumulators), made from a seed (the key's values) and
// merged through the functions it gives.
//
// The open sessions are also kept in a binary min-heap in firing order (end, start, first
// arrival), each session knowing its place in it: a session that grows or merges moves in the
// heap in O(log n), and firing takes the due sessions off its top, so a run with n open sessions
// costs O(log n) per record instead of a scan of every key each time the watermark moves.

/** An open session: its bounds, the caller's state, and the arrival number of its first record. */
export interface Session<P> {
  start: number;
  end: number;
  state: P;
  /** arrival number of the session's first record: ties in firing order go by it */
  firstSeq: number;
}

/** A session as the store keeps it: with its key and its place in the heap. */
interface Held<P> extends Session<P> {
  key: unknown;
  at: number;
}

function before(a: Session<unknown>, b: Session<unknown>): boolean {
  return a.end < b.end || (a.end === b.end && (a.start < b.start || (a.start === b.start && a.firstSeq < b.firstSeq)));
}

export type SavedSession<S> = [start: number, end: number, state: S, firstSeq: number];

export interface SavedSessions<S> {
  keys: [key: unknown, sessions: SavedSession<S>[]][];
  arrivals: number;
}

export class SessionWindows<P, K> {
  private readonly byKey = new Map<unknown, Held<P>[]>();
  /** every open session, a min-heap in firing order */
  private readonly heap: Held<P>[] = [];
  /** the earliest end of an open session (Infinity: none) */
  nextEnd = Infinity;
  /** records seen so far, late ones included: the next record's arrival number */
  arrivals = 0;

  constructor(
    readonly gap: number,
    private readonly make: (seed: K) => P,
    private readonly merge: (into: P, from: P) => void,
  ) {}

  /** How many sessions are open. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * The session of `key` that a record at t joins, at the watermark `mark`: the open sessions it
   * overlaps merged into one, or a new one (state from make(seed)); null when it overlaps none
   * and its own session [t, t+GAP) would already have fired: the record is late.
   */
  join(key: unknown, seed: K, t: number, mark: number): Session<P> | null {
    const seq = this.arrivals++;
    const lo = t;
    const hi = t + this.gap;
    let list = this.byKey.get(key);
    // the open sessions it overlaps, in the list's order (one, nearly always)
    let hit: Held<P> | null = null;
    let hits: Held<P>[] | null = null;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (!(o.start < hi && lo < o.end)) continue;
        if (hit === null) hit = o;
        else (hits ??= [hit]).push(o);
      }
    }
    let s: Held<P>;
    if (hit === null) {
      if (hi <= mark) return null;
      s = { start: lo, end: hi, state: this.make(seed), firstSeq: seq, key, at: this.heap.length };
      if (list === undefined) this.byKey.set(key, (list = []));
      list.push(s);
      this.heap.push(s);
      this.up(s.at);
    } else if (hits === null) {
      s = hit;
      const start = s.start;
      s.start = Math.min(start, lo);
      s.end = Math.max(s.end, hi);
      // a later end moves it down, an earlier start (a late record) up
      if (s.start < start) this.up(s.at);
      this.down(s.at);
    } else {
      // a record bridging sessions: they merge into the earliest
      const keep = list!;
      hits.sort((a, b) => a.start - b.start);
      s = hits[0]!;
      // the others leave the heap before s's place in it changes
      let end = Math.max(s.end, hi);
      let firstSeq = s.firstSeq;
      for (let i = 1; i < hits.length; i++) {
        const o = hits[i]!;
        this.merge(s.state, o.state);
        end = Math.max(end, o.end);
        firstSeq = Math.min(firstSeq, o.firstSeq);
        keep.splice(keep.indexOf(o), 1);
        this.remove(o.at);
      }
      s.start = Math.min(s.start, lo);
      s.end = end;
      s.firstSeq = firstSeq;
      this.up(s.at);
      this.down(s.at);
    }
    this.nextEnd = this.heap[0]!.end;
    return s;
  }

  /** Take out the sessions due at `mark` (end ≤ mark; Infinity: all), in firing order: end, start, first arrival. */
  fire(mark: number): Session<P>[] {
    const due: Session<P>[] = [];
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.end <= mark) {
      const s = heap[0]!;
      this.remove(0);
      const list = this.byKey.get(s.key)!;
      if (list.length === 1) this.byKey.delete(s.key);
      else list.splice(list.indexOf(s), 1);
      due.push(s);
    }
    this.nextEnd = heap.length > 0 ? heap[0]!.end : Infinity;
    return due;
  }

  /** Every open session, key by key in order of first appearance (for early results). */
  *open(): IterableIterator<Session<P>> {
    for (const list of this.byKey.values()) yield* list;
  }

  save<S>(state: (p: P) => S): SavedSessions<S> {
    return {
      keys: [...this.byKey].map(([key, list]) => [key, list.map((s): SavedSession<S> => [s.start, s.end, state(s.state), s.firstSeq])]),
      arrivals: this.arrivals,
    };
  }

  /** Load what save() wrote into an empty store. */
  load<S>(saved: SavedSessions<S>, state: (s: S) => P): void {
    this.byKey.clear();
    this.heap.length = 0;
    for (const [key, list] of saved.keys) {
      this.byKey.set(key, list.map(([start, end, s, firstSeq]) => {
        const held: Held<P> = { start, end, state: state(s), firstSeq, key, at: this.heap.length };
        this.heap.push(held);
        this.up(held.at);
        return held;
      }));
    }
    this.nextEnd = this.heap.length > 0 ? this.heap[0]!.end : Infinity;
    this.arrivals = saved.arrivals;
  }

  // ---- the heap

  private remove(i: number): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (i === heap.length) return;
    heap[i] = last;
    last.at = i;
    this.up(i);
    this.down(last.at);
  }

  private up(i: number): void {
    const heap = this.heap;
    const s = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(s, p)) break;
      heap[i] = p;
      p.at = i;
      i = parent;
    }
    heap[i] = s;
    s.at = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const s = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap[c + 1]!, heap[c]!)) c++;
      const child = heap[c]!;
      if (!before(child, s)) break;
      heap[i] = child;
      child.at = i;
      i = c;
    }
    heap[i] = s;
    s.at = i;
  }
}
