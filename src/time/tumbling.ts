// Tumbling windows: [k·SIZE, (k+1)·SIZE), aligned to the Unix epoch in UTC; a record joins the
// one window holding its time, unless that window has fired.

import { FixedWindows } from './fixed-windows.js';
import { tumblingStart } from './windows.js';

export class TumblingWindows<P> extends FixedWindows<P> {
  protected holding(t: number): number {
    this.starts[0] = tumblingStart(t, this.size);
    return 1;
  }
}
