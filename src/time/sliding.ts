// Sliding (hopping) windows: [s, s+SIZE) for every s that is a multiple of SLIDE; a record joins
// each such window holding its time that has not fired, earliest first.

import { FixedWindows, type Pane } from './fixed-windows.js';

export class SlidingWindows<P> extends FixedWindows<P> {
  private readonly starts: number[] = [];

  constructor(size: number, readonly slide: number, make: () => P) {
    super(size, make);
  }

  join(t: number, mark: number): readonly Pane<P>[] {
    const hits = this.begin();
    // the same steps as slidingStarts(), latest first, without its arrays
    const starts = this.starts;
    starts.length = 0;
    for (let s = Math.floor(t / this.slide) * this.slide; s > t - this.size; s -= this.slide) starts.push(s);
    for (let i = starts.length - 1; i >= 0; i--) this.take(starts[i]!, mark);
    return hits;
  }
}
