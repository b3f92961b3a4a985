// Count windows, per key; they do not use time. `count N`: a key's window fills with its
// records and is due at the N-th, then the next one starts. `count N every M`: a key keeps its
// last N records and a window of them is due at every M-th record. What is not due at the end
// of input is a partial window. The caller keeps its own state in a window (a group of
// accumulators for `count N`) and its own items in `recent` (the records, for `every M`).

export interface CountWindow<P, I> {
  /** count N: the state of the window filling (null between windows) and how many records it has */
  state: P | null;
  n: number;
  /** times of the window's first and last records (count N: first is that of the window filling) */
  first: number;
  last: number;
  /** count N every M: the key's last N records with their times, and records since the last window */
  recent: { item: I; t: number }[];
  sinceEmit: number;
}

export type SavedCountWindow<S, J> = [key: unknown, state: S | null, n: number, first: number, last: number, recent: { item: J; t: number }[], sinceEmit: number];

export class CountWindows<P, I, K> {
  private readonly byKey = new Map<unknown, CountWindow<P, I>>();

  constructor(readonly n: number, readonly every: number | null, private readonly make: (seed: K) => P) {}

  /**
   * A record of `key` at time t: returns the key's window with the record counted. For
   * `count N` the window's state is made with make(seed) when a window starts and the caller
   * adds the record to it; for `every M` the item is kept in `recent`.
   */
  take(key: unknown, seed: K, t: number, item: I): CountWindow<P, I> {
    let win = this.byKey.get(key);
    if (win === undefined) {
      win = { state: null, n: 0, first: t, last: t, recent: [], sinceEmit: 0 };
      this.byKey.set(key, win);
    }
    win.last = t;
    if (this.every === null) {
      if (win.state === null) {
        win.state = this.make(seed);
        win.first = t;
      }
      win.n++;
    } else {
      win.recent.push({ item, t });
      if (win.recent.length > this.n) win.recent.shift();
      win.sinceEmit++;
    }
    return win;
  }

  /** The window is complete: `count N` holds N records, `every M` has had M more. */
  due(win: CountWindow<P, I>): boolean {
    return this.every === null ? win.n === this.n : win.sinceEmit === this.every;
  }

  /** Time of the window's first record. */
  firstOf(win: CountWindow<P, I>): number {
    return this.every === null ? win.first : win.recent[0]!.t;
  }

  /** The window was written: `count N` starts a new one, `every M` counts again. */
  close(win: CountWindow<P, I>): void {
    if (this.every === null) {
      win.state = null;
      win.n = 0;
    } else win.sinceEmit = 0;
  }

  /** Windows with records not yet written (end of input), in window-end order, then window start, then key first appearance. */
  partials(): CountWindow<P, I>[] {
    const open: CountWindow<P, I>[] = [];
    for (const win of this.byKey.values()) if (this.every === null ? win.n > 0 : win.sinceEmit > 0) open.push(win);
    // the sort is stable: equal bounds keep the map's insertion order
    return open.sort((a, b) => a.last - b.last || this.firstOf(a) - this.firstOf(b));
  }

  /** Every key's window, in order of first appearance (for early results). */
  windows(): IterableIterator<CountWindow<P, I>> {
    return this.byKey.values();
  }

  save<S, J>(state: (p: P) => S, item: (i: I) => J): SavedCountWindow<S, J>[] {
    return [...this.byKey].map(([key, w]) => [
      key, w.state === null ? null : state(w.state), w.n, w.first, w.last, w.recent.map((r) => ({ item: item(r.item), t: r.t })), w.sinceEmit,
    ]);
  }

  /** Load what save() wrote into an empty store. */
  load<S, J>(saved: SavedCountWindow<S, J>[], state: (s: S) => P, item: (j: J) => I): void {
    this.byKey.clear();
    for (const [key, s, n, first, last, recent, sinceEmit] of saved) {
      this.byKey.set(key, { state: s === null ? null : state(s), n, first, last, recent: recent.map((r) => ({ item: item(r.item), t: r.t })), sinceEmit });
    }
  }
}
