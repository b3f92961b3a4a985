// An independent reference model of sluice's windows (DESIGN.md §4), written from the spec
// alone and deliberately naive: plain arrays, linear searches, every window's aggregates
// recomputed from its list of member records when it fires, the watermark recomputed from every
// partition after every step. It exists only to be compared with the real engine
// (src/operators/window.ts) by the property tests in test/time/, so it must never import engine
// code.
//
// The contract it implements:
// - The input is a sequence of steps: a record of an input partition, or a change in the
//   partitions (assigned, ended, revoked, idle, active). A plain list of records is one
//   partition. Records get a sequence number (their arrival index).
// - Each partition has its largest event time (−∞ before its first record) and is active or
//   not. A partition is known once assigned or once its first record arrives, and is then active;
//   ended/revoked/idle make it inactive; assigned/active or a record of its own make it active.
// - Watermark W = max(W, min over active partitions of their largest time − allow), recomputed
//   after every step; −∞ at first; it stays put while no partition is active.
// - For each record: take W *before* the record; the record joins every candidate window that
//   has not fired; if it joins none it is late (dropped, counted). Then its partition's largest
//   time is updated (late or not: a late record's time is below W and cannot move it) and every
//   open window with end ≤ W fires, sorted by (end, start, arrival index of the window's
//   earliest-arrived record — i.e. the order its key first appeared in it). After a change, what
//   is due fires the same way.
// - tumbling: [floor(t/S)·S, +S); a window has fired iff end ≤ W.
// - sliding S every P: all [s, s+S) with s a multiple of P and s ≤ t < s+S.
// - session G, per key: [t, t+G) merges with every *open* session of its key it overlaps; a
//   record is late iff it overlaps no open session and t+G ≤ W. Fired sessions are gone.
// - count N [every M], per key, nothing late, partitions play no part; see runCount below.
// - End of input: every open window fires (same sort); count partials sorted by (end, start),
//   ties in key first-appearance order (DESIGN §4: results come in window-end order).

export type AggFn = 'count' | 'sum' | 'min' | 'max' | 'first' | 'last';
export interface AggSpec {
  fn: AggFn;
  /** the field aggregated; ignored by count */
  field?: string;
}

export type WindowSpec =
  | { kind: 'tumbling'; size: number; allow?: number }
  | { kind: 'sliding'; size: number; slide: number; allow?: number }
  | { kind: 'session'; gap: number; allow?: number }
  | { kind: 'count'; n: number; every?: number };

export interface Query {
  window: WindowSpec;
  /** event-time field (epoch milliseconds, numbers) */
  on: string;
  /** grouping fields (`by a, b`); empty = one global group */
  by: string[];
  aggs: AggSpec[];
}

export type Rec = Record<string, unknown>;

export interface ModelResult {
  output: Rec[];
  late: number;
  /** for each result, the index of the step that made it due (the number of steps: the end of input) */
  at: number[];
}

export type PartitionChangeKind = 'assigned' | 'ended' | 'revoked' | 'idle' | 'active';

/** One step of an input with partitions: a record of a partition, or a change in the partitions. */
export type Step = { partition: string; rec: Rec } | { partition: string; change: PartitionChangeKind };

/** One record as the model sees it. */
interface Item {
  seq: number;
  /** index of its step in the input */
  step: number;
  t: number;
  key: string;
  rec: Rec;
}

/** A window instance (one key, one interval) and the records in it. */
interface Win {
  key: string;
  start: number;
  end: number;
  members: Item[];
}

// ---------------------------------------------------------------------------------------------
// program text

/** A duration as sluice's language writes it. */
export function durationText(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function aggName(a: AggSpec): string {
  return a.fn === 'count' ? 'count' : `${a.fn}_${a.field}`;
}

/** The sluice program for a query, e.g. `window tumbling 10s on t | count(), sum(v) by k`. */
export function programText(q: Query): string {
  const w = q.window;
  let spec: string;
  switch (w.kind) {
    case 'tumbling':
      spec = `window tumbling ${durationText(w.size)} on ${q.on}`;
      break;
    case 'sliding':
      spec = `window sliding ${durationText(w.size)} every ${durationText(w.slide)} on ${q.on}`;
      break;
    case 'session':
      spec = `window session ${durationText(w.gap)} on ${q.on}`;
      break;
    case 'count':
      spec = `window count ${w.n}${w.every !== undefined ? ` every ${w.every}` : ''} on ${q.on}`;
      break;
  }
  if (w.kind !== 'count' && w.allow !== undefined) spec += ` allow ${w.allow === 0 ? '0ms' : durationText(w.allow)}`;
  const aggs = q.aggs.map((a) => (a.fn === 'count' ? 'count()' : `${a.fn}(${a.field})`)).join(', ');
  const by = q.by.length > 0 ? ` by ${q.by.join(', ')}` : '';
  return `${spec} | ${aggs}${by}`;
}

// ---------------------------------------------------------------------------------------------
// helpers

const iso = (ms: number): string => new Date(ms).toISOString();

function keyOf(rec: Rec, by: string[]): string {
  return JSON.stringify(by.map((f) => (f in rec ? rec[f] : null)));
}

function item(rec: Rec, seq: number, step: number, q: Query): Item {
  const t = rec[q.on];
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error(`model: record ${seq} has no numeric '${q.on}'`);
  return { seq, step, t, key: keyOf(rec, q.by), rec };
}

/** The output record of one window: window_start, window_end, the keys, the aggregates. */
function result(q: Query, start: number, end: number, members: Item[]): Rec {
  // members in arrival order (first/last are by arrival, not by event time)
  const ms = [...members].sort((a, b) => a.seq - b.seq);
  const out: Rec = { window_start: iso(start), window_end: iso(end) };
  const first = ms[0]!.rec;
  for (const f of q.by) out[f] = f in first ? first[f] : null;
  for (const a of q.aggs) {
    const vals = ms.map((m) => m.rec[a.field ?? ''] as number);
    let v: unknown;
    switch (a.fn) {
      case 'count': v = ms.length; break;
      case 'sum': v = vals.reduce((x, y) => x + y, 0); break;
      case 'min': v = Math.min(...vals); break;
      case 'max': v = Math.max(...vals); break;
      case 'first': v = vals[0]; break;
      case 'last': v = vals[vals.length - 1]; break;
    }
    out[aggName(a)] = v;
  }
  return out;
}

const firstSeq = (w: Win): number => Math.min(...w.members.map((m) => m.seq));

function byFiringOrder(a: Win, b: Win): number {
  return a.end - b.end || a.start - b.start || firstSeq(a) - firstSeq(b);
}

/** Multiples of `step` in [lo, hi] (inclusive), ascending. */
function multiplesIn(step: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let s = Math.ceil(lo / step) * step; s <= hi; s += step) out.push(s);
  return out;
}

/** The candidate [start, end) intervals of a record at time t for tumbling/sliding windows. */
export function candidates(w: WindowSpec, t: number): [number, number][] {
  switch (w.kind) {
    case 'tumbling': {
      const s = Math.floor(t / w.size) * w.size;
      return [[s, s + w.size]];
    }
    case 'sliding':
      // s ≤ t < s + size  ⇔  t − size < s ≤ t; integers, so t − size + 1 ≤ s ≤ t
      return multiplesIn(w.slide, t - w.size + 1, t).map((s) => [s, s + w.size]);
    default:
      throw new Error(`no fixed candidates for ${w.kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// the model

/** The model over one partition's records, in order. */
export function runModel(q: Query, events: Rec[]): ModelResult {
  return runSteps(q, events.map((rec) => ({ partition: '-', rec })));
}

/** The model over records of several partitions and partition changes, in order. */
export function runSteps(q: Query, steps: Step[]): ModelResult {
  let seq = 0;
  const its = steps.map((s, i) => ('rec' in s ? { partition: s.partition, it: item(s.rec, seq++, i, q) } : s));
  if (q.window.kind === 'count') return runCount(q, its.flatMap((s) => ('it' in s ? [s.it] : [])), steps.length);
  return runTime(q, its);
}

type TimeStep = { partition: string; it: Item } | { partition: string; change: PartitionChangeKind };

function runTime(q: Query, steps: TimeStep[]): ModelResult {
  const w = q.window as Exclude<WindowSpec, { kind: 'count' }>;
  const allow = w.allow ?? 0;
  const output: Rec[] = [];
  const at: number[] = [];
  let now = 0; // the step being run
  let late = 0;
  let W = -Infinity;
  const partitions = new Map<string, { max: number; active: boolean }>();
  let open: Win[] = [];

  const fire = (which: Win[]): void => {
    for (const win of [...which].sort(byFiringOrder)) {
      output.push(result(q, win.start, win.end, win.members));
      at.push(now);
    }
    open = open.filter((x) => !which.includes(x));
  };
  const partition = (id: string) => {
    if (!partitions.has(id)) partitions.set(id, { max: -Infinity, active: true });
    return partitions.get(id)!;
  };
  const advance = (): void => {
    const active = [...partitions.values()].filter((p) => p.active);
    if (active.length > 0) W = Math.max(W, Math.min(...active.map((p) => p.max)) - allow);
    fire(open.filter((x) => x.end <= W));
  };

  for (const step of steps) {
    const p = partition(step.partition);
    if ('change' in step) {
      p.active = step.change === 'assigned' || step.change === 'active';
      advance();
      now++;
      continue;
    }
    const it = step.it;
    p.active = true;
    const wm = W; // before this record
    if (w.kind === 'session') {
      const lo = it.t;
      const hi = it.t + w.gap;
      const touching = open.filter((s) => s.key === it.key && s.start < hi && lo < s.end);
      if (touching.length === 0 && hi <= wm) late++;
      else {
        const merged: Win = {
          key: it.key,
          start: Math.min(lo, ...touching.map((s) => s.start)),
          end: Math.max(hi, ...touching.map((s) => s.end)),
          members: [...touching.flatMap((s) => s.members), it],
        };
        open = open.filter((s) => !touching.includes(s));
        open.push(merged);
      }
    } else {
      const joins = candidates(w, it.t).filter(([, end]) => end > wm); // not fired yet
      if (joins.length === 0) late++;
      for (const [start, end] of joins) {
        const existing = open.find((x) => x.key === it.key && x.start === start && x.end === end);
        if (existing) existing.members.push(it);
        else open.push({ key: it.key, start, end, members: [it] });
      }
    }
    p.max = Math.max(p.max, it.t);
    advance();
    now++;
  }
  fire(open); // end of input
  return { output, late, at };
}

function runCount(q: Query, its: Item[], end: number): ModelResult {
  const w = q.window as Extract<WindowSpec, { kind: 'count' }>;
  const output: Rec[] = [];
  const at: number[] = [];
  let now = 0;
  const keys: string[] = []; // first-appearance order
  const history = new Map<string, Item[]>(); // every record of the key so far
  const sinceEmit = new Map<string, number>(); // records of the key since its last emission
  const emit = (members: Item[]): void => {
    output.push(result(q, members[0]!.t, members[members.length - 1]!.t, members));
    at.push(now);
  };
  const lastN = (k: string): Item[] => history.get(k)!.slice(-w.n);

  for (const it of its) {
    now = it.step;
    if (!history.has(it.key)) {
      keys.push(it.key);
      history.set(it.key, []);
      sinceEmit.set(it.key, 0);
    }
    const h = history.get(it.key)!;
    h.push(it);
    sinceEmit.set(it.key, sinceEmit.get(it.key)! + 1);
    if (w.every === undefined) {
      if (sinceEmit.get(it.key) === w.n) {
        emit(h.slice(-w.n));
        sinceEmit.set(it.key, 0);
      }
    } else if (h.length % w.every === 0) {
      emit(lastN(it.key));
      sinceEmit.set(it.key, 0);
    }
  }
  now = end;
  const partials: Item[][] = [];
  for (const k of keys) {
    const pending = sinceEmit.get(k)!;
    if (pending === 0) continue;
    partials.push(w.every === undefined ? history.get(k)!.slice(-pending) : lastN(k));
  }
  // Array.prototype.sort is stable: equal (end, start) keep key first-appearance order
  partials.sort((a, b) => a[a.length - 1]!.t - b[b.length - 1]!.t || a[0]!.t - b[0]!.t);
  for (const members of partials) emit(members);
  return { output, late: 0, at };
}
