// The open windows of a tumbling or sliding assigner: windows by start, each holding a state
// that belongs to the caller (the window stage keeps a table of groups there), which of them a
// record joins at a given watermark, which are due when the watermark moves, and a checkpoint
// form. Pure window logic: nothing here knows records, keys or aggregates.

/** An open window and the caller's state for it. */
export interface Pane<P> {
  readonly start: number;
  readonly end: number;
  readonly state: P;
}

/** A pane for a checkpoint: start, end and the state as the caller saved it. */
export type SavedPane<S> = [start: number, end: number, state: S];

export abstract class FixedWindows<P> {
  private readonly panes = new Map<number, Pane<P>>();
  /** the starts of the windows holding the time last given to join(), latest first, and how many are left */
  protected readonly starts: number[] = [];
  private left = 0;
  private mark = -Infinity;
  /** the earliest end of an open window (Infinity: none); nothing is due before the watermark reaches it */
  nextEnd = Infinity;

  constructor(readonly size: number, private readonly make: () => P) {}

  /** Put the starts of every window holding t into `starts`, latest first; returns how many. */
  protected abstract holding(t: number): number;

  /**
   * The first of the windows a record at time t joins: every window holding t that has not
   * fired at the watermark `mark` (end > mark), opened with make() on first use, earliest first;
   * next() gives the others. Null when it joins none: the record is late.
   */
  join(t: number, mark: number): Pane<P> | null {
    this.left = this.holding(t);
    this.mark = mark;
    return this.next();
  }

  /** The next window the record given to join() joins; null when there is none left. */
  next(): Pane<P> | null {
    while (this.left > 0) {
      const start = this.starts[--this.left]!;
      const end = start + this.size;
      if (end <= this.mark) continue;
      let pane = this.panes.get(start);
      if (pane === undefined) {
        pane = { start, end, state: this.make() };
        this.panes.set(start, pane);
        if (end < this.nextEnd) this.nextEnd = end;
      }
      return pane;
    }
    return null;
  }

  /** Take out the windows due at `mark` (end ≤ mark; Infinity: all), in firing order: end, then start. */
  fire(mark: number): Pane<P>[] {
    const due: Pane<P>[] = [];
    let next = Infinity;
    for (const pane of this.panes.values()) {
      if (pane.end <= mark) due.push(pane);
      else if (pane.end < next) next = pane.end;
    }
    due.sort(firingOrder);
    for (const pane of due) this.panes.delete(pane.start);
    this.nextEnd = next;
    return due;
  }

  /** The open windows in firing order (for early results). */
  open(): Pane<P>[] {
    return [...this.panes.values()].sort(firingOrder);
  }

  save<S>(state: (p: P) => S): SavedPane<S>[] {
    return [...this.panes.values()].map((p) => [p.start, p.end, state(p.state)]);
  }

  /** Load what save() wrote into an empty store. */
  load<S>(saved: SavedPane<S>[], state: (s: S) => P): void {
    this.panes.clear();
    this.nextEnd = Infinity;
    for (const [start, end, s] of saved) {
      this.panes.set(start, { start, end, state: state(s) });
      if (end < this.nextEnd) this.nextEnd = end;
    }
  }
}

function firingOrder(a: Pane<unknown>, b: Pane<unknown>): number {
  return a.end - b.end || a.start - b.start;
}
