// Session windows, per key: a record at t alone is [t, t+GAP); it merges with every open
// session of its key that it overlaps (so a late record can bridge two sessions into one); a
// session is due once the watermark reaches its end, and is then gone. The state of a session
// belongs to the caller (a group of accumulators), made from a seed (the key's values) and
// merged through the functions it gives.

/** An open session: its bounds, the caller's state, and the arrival number of its first record. */
export interface Session<P> {
  start: number;
  end: number;
  state: P;
  /** arrival number of the session's first record: ties in firing order go by it */
  firstSeq: number;
}

export type SavedSession<S> = [start: number, end: number, state: S, firstSeq: number];

export interface SavedSessions<S> {
  keys: [key: unknown, sessions: SavedSession<S>[]][];
  arrivals: number;
}

export class SessionWindows<P, K> {
  private readonly byKey = new Map<unknown, Session<P>[]>();
  /** the earliest end of an open session (Infinity: none) */
  nextEnd = Infinity;
  /** records seen so far, late ones included: the next record's arrival number */
  arrivals = 0;

  constructor(
    readonly gap: number,
    private readonly make: (seed: K) => P,
    private readonly merge: (into: P, from: P) => void,
  ) {}

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
    let hit: Session<P> | null = null;
    let hits: Session<P>[] | null = null;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (!(o.start < hi && lo < o.end)) continue;
        if (hit === null) hit = o;
        else (hits ??= [hit]).push(o);
      }
    }
    let s: Session<P>;
    if (hit === null) {
      if (hi <= mark) return null;
      s = { start: lo, end: hi, state: this.make(seed), firstSeq: seq };
      if (list === undefined) this.byKey.set(key, (list = []));
      list.push(s);
    } else if (hits === null) {
      s = hit;
      s.start = Math.min(s.start, lo);
      s.end = Math.max(s.end, hi);
    } else {
      // a record bridging sessions: they merge into the earliest
      const keep = list!;
      hits.sort((a, b) => a.start - b.start);
      s = hits[0]!;
      for (const o of hits.slice(1)) {
        this.merge(s.state, o.state);
        s.end = Math.max(s.end, o.end);
        s.firstSeq = Math.min(s.firstSeq, o.firstSeq);
        keep.splice(keep.indexOf(o), 1);
      }
      s.start = Math.min(s.start, lo);
      s.end = Math.max(s.end, hi);
    }
    if (s.end < this.nextEnd) this.nextEnd = s.end;
    return s;
  }

  /** Take out the sessions due at `mark` (end ≤ mark; Infinity: all), in firing order: end, start, first arrival. */
  fire(mark: number): Session<P>[] {
    const due: Session<P>[] = [];
    let next = Infinity;
    for (const [key, list] of this.byKey) {
      const keep: Session<P>[] = [];
      for (const s of list) {
        if (s.end <= mark) due.push(s);
        else {
          keep.push(s);
          if (s.end < next) next = s.end;
        }
      }
      if (keep.length === 0) this.byKey.delete(key);
      else if (keep.length !== list.length) this.byKey.set(key, keep);
    }
    due.sort((a, b) => a.end - b.end || a.start - b.start || a.firstSeq - b.firstSeq);
    this.nextEnd = next;
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
    this.nextEnd = Infinity;
    for (const [key, list] of saved.keys) {
      this.byKey.set(key, list.map(([start, end, s, firstSeq]) => {
        if (end < this.nextEnd) this.nextEnd = end;
        return { start, end, state: state(s), firstSeq };
      }));
    }
    this.arrivals = saved.arrivals;
  }
}
