// The memory a run may use, watched so that a run holding too much state stops with a message
// (LimitError, exit 75) before V8 reaches its heap limit and dies with a native stack trace.
// used_heap_size counts garbage too, so crossing the high mark is only a hint: a full GC is then
// forced (through --expose-gc, turned on here when first needed) and the live size decides. After
// a GC that leaves enough room, the next one is forced only once the heap has grown a quarter of
// the way to the limit again, so a run that lives near the mark does not collect at every check.
// Checked every 4096 new groups (Grouper) and every 50 ms between batches (the executor). A heap
// below about 64 MB is too small for this: one Map growing its table may take what is left.

import v8 from 'node:v8';
import vm from 'node:vm';

/** Stop when, after a full GC, this share of the old generation's limit is still in use. */
export const HEAP_STOP_SHARE = 0.75;

/**
 * V8's heap_size_limit is the old generation's limit (--max-old-space-size) plus the young
 * generation's (three 16 MB semi-spaces on 64-bit Node 20): state lives in the old one.
 */
const YOUNG_GENERATION = 48 * 1048576;

export class HeapWatch {
  /** the old generation's limit in bytes (--max-old-space-size) */
  readonly limit: number;
  private readonly stopAt: number;
  /** used_heap_size above which a GC is forced to see what is live */
  private checkAt: number;
  private collect: (() => void) | null = null;

  constructor(limit = oldGenerationLimit()) {
    this.limit = limit;
    this.stopAt = limit * HEAP_STOP_SHARE;
    this.checkAt = this.stopAt;
  }

  /** Null while there is room; else the live heap in bytes, which is over HEAP_STOP_SHARE of the limit. */
  full(): number | null {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used < this.checkAt) return null;
    this.collect ??= fullGc();
    this.collect();
    const live = v8.getHeapStatistics().used_heap_size;
    if (live >= this.stopAt) return live;
    this.checkAt = Math.max(this.stopAt, live + (this.limit - live) / 4);
    return null;
  }

  /** "173 MB of its 232 MB limit" */
  describe(live: number): string {
    return `${mb(live)} MB of its ${mb(this.limit)} MB limit`;
  }
}

function oldGenerationLimit(): number {
  const all = v8.getHeapStatistics().heap_size_limit;
  return all > 2 * YOUNG_GENERATION ? all - YOUNG_GENERATION : all;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

function fullGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** The one watch of this process. */
export const heapWatch = new HeapWatch();
