// Tumbling windows: [k·SIZE, (k+1)·SIZE), aligned to the Unix epoch in UTC; a record joins the
// one window holding its time, unless that window has fired.

import { FixedWindows, type Pane } from './fixed-windows.js';
import { tumblingStart } from './windows.js';

export class TumblingWindows<P> extends FixedWindows<P> {
  join(t: number, mark: number): readonly Pane<P>[] {
    const hits = this.begin();
    this.take(tumblingStart(t, this.size), mark);
    return hits;
  }
}
