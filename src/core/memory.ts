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
import { readFileSync } from 'node:fs';

/** Stop when, after a full GC, this share of the old generation's limit is still in use. */
export const HEAP_STOP_SHARE = 0.75;

export class HeapWatch {
  private bound: { bytes: number; what: string } | null = null;
  private stopAt = Infinity;
  /** used_heap_size above which a GC is forced to see what is live */
  private checkAt = Infinity;
  private collect: (() => void) | null = null;

  /** `limit`: the heap limit in bytes (tests); by default V8's, or less under ulimit -v, found at the first check */
  constructor(limit?: number) {
    if (limit !== undefined) this.setBound({ bytes: limit, what: 'limit' });
  }

  /** the heap's limit in bytes */
  get limit(): number {
    return this.bounds().bytes;
  }

  /** Null while there is room; else the live heap in bytes, which is over HEAP_STOP_SHARE of the limit. */
  full(): number | null {
    this.bounds();
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
    const b = this.bounds();
    return `${mb(live)} MB of its ${mb(b.bytes)} MB ${b.what}`;
  }

  /** How to give the run more memory. */
  advice(): string {
    return this.bounds().what === 'limit' ? 'give Node more heap (NODE_OPTIONS=--max-old-space-size=MB)' : 'raise ulimit -v';
  }

  private bounds(): { bytes: number; what: string } {
    return this.bound ?? this.setBound(processBound());
  }

  private setBound(b: { bytes: number; what: string }): { bytes: number; what: string } {
    this.bound = b;
    this.stopAt = this.checkAt = b.bytes * HEAP_STOP_SHARE;
    return b;
  }
}

/** The heap's limit: V8's old generation, or what `ulimit -v` leaves room for when that is less. */
function processBound(): { bytes: number; what: string } {
  const heap = oldGenerationLimit();
  const space = addressSpaceRoom();
  return space < heap ? { bytes: space, what: 'share of the address space left by ulimit -v' } : { bytes: heap, what: 'limit' };
}

function oldGenerationLimit(): number {
  // V8's heap_size_limit is the old generation's limit (--max-old-space-size) plus the young
  // generation's, three semi-spaces whose default size changed between V8 versions (16 MB on
  // Node 20 and 22, 64 MB on Node 24): state lives in the old one, so its limit is taken from the
  // flag when it is given, else from the total less the young generation
  const old = v8Flag('max-old-space-size');
  if (old !== null) return old * 1048576;
  const semi = v8Flag('max-semi-space-size') ?? (Number(process.versions.node.split('.')[0]) >= 24 ? 64 : 16);
  const all = v8.getHeapStatistics().heap_size_limit;
  const young = 3 * semi * 1048576;
  return all > 2 * young ? all - young : all;
}

/** A V8 size flag in MB as node was started with it (command line or NODE_OPTIONS); null when not given. */
function v8Flag(name: string): number | null {
  const words = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const spelled = new RegExp(`^--${name.replace(/-/g, '[-_]')}(?:=(\\d+))?$`);
  let found: number | null = null;
  for (let i = 0; i < words.length; i++) {
    const m = spelled.exec(words[i]!);
    if (m === null) continue;
    const v = Number(m[1] ?? words[i + 1]);
    if (Number.isFinite(v) && v > 0) found = v;
  }
  return found;
}

/**
 * Under a limit on the address space (ulimit -v, Linux), V8 cannot grow the heap past it and the
 * process dies of a failed allocation: the heap may have what is in use now and half the room left
 * (the rest for V8's own reservations, buffers and the output). Infinity without such a limit.
 */
function addressSpaceRoom(): number {
  try {
    const max = /^Max address space\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const size = /^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (max === null || size === null) return Infinity;
    const room = Math.max(0, Number(max[1]) - Number(size[1]) * 1024);
    return v8.getHeapStatistics().used_heap_size + room / 2;
  } catch {
    return Infinity;
  }
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
