// Sliding (hopping) windows: [s, s+SIZE) for every s that is a multiple of SLIDE; a record joins
// each such window holding its time that has not fired, earliest first.

import { FixedWindows } from './fixed-windows.js';

export class SlidingWindows<P> extends FixedWindows<P> {
  constructor(size: number, readonly slide: number, make: () => P) {
    super(size, make);
  }

  protected holding(t: number): number {
    // the same steps as slidingStarts(), so the same numbers, without its arrays
    let n = 0;
    for (let s = Math.floor(t / this.slide) * this.slide; s > t - this.size; s -= this.slide) this.starts[n++] = s;
    return n;
  }
}
