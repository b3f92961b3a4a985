import { UsageError } from '../errors/errors.js';
import type { Expr } from '../lang/ast.js';
import type { StageParser } from '../lang/parser.js';
import { printExpr } from '../lang/print.js';
import type { Maybe } from '../lang/values.js';
import { makeEvent, partitionId, type Batch, type Event, type Source, type Value } from '../core/event.js';
import { CountWindows, type CountWindow, type SavedCountWindow } from '../time/count-windows.js';
import type { FixedWindows, SavedPane } from '../time/fixed-windows.js';
import { formatIso } from '../time/format.js';
import { SessionWindows, type SavedSessions } from '../time/session.js';
import { SlidingWindows } from '../time/sliding.js';
import { TumblingWindows } from '../time/tumbling.js';
import { MAX_WINDOWS_PER_RECORD, windowsPerRecord } from '../time/windows.js';
import { formatDuration } from '../time/duration.js';
import { WALL_CLOCK, Watermarks, type PartitionMark, type SavedWatermarks } from '../time/watermark.js';
import { Grouper, printAggregate, type AggregateArgs, type Group, type SavedGroup } from './aggregate.js';
import { eventTimeReader } from './event-time.js';
import { parseEmit, positiveDuration, printEmit, type Dur, type Emit } from './emit.js';
import { count } from './head.js';
import { defineOperator, type BuildContext, type PartitionChange, type Stage, type StatefulStage } from './types.js';

export interface WindowArgs {
  kind: 'tumbling' | 'sliding' | 'session' | 'count';
  /** tumbling/sliding size, session gap */
  size: Dur | null;
  /** sliding: every */
  slide: Dur | null;
  /** count: N [every M] */
  n: number;
  every: number | null;
  on: Expr | null;
  allow: Dur | null;
  emit: Emit;
}

function parseWindow(p: StageParser): WindowArgs {
  const k = p.name('a window kind: tumbling, sliding, session or count');
  const args: WindowArgs = { kind: 'tumbling', size: null, slide: null, n: 0, every: null, on: null, allow: null, emit: { mode: 'final' } };
  switch (k.name) {
    case 'tumbling':
      args.size = positiveDuration(p, 'the window size');
      break;
    case 'sliding':
      args.kind = 'sliding';
      args.size = positiveDuration(p, 'the window size');
      p.expectKeyword('every', "'every' and the slide, as in: window sliding 10m every 1m");
      args.slide = positiveDuration(p, 'the slide');
      if (args.slide.ms > args.size.ms) {
        p.fail('the slide must not be longer than the window: records between windows would belong to none', p.spanFrom(k.span.start));
      }
      if (windowsPerRecord(args.size.ms, args.slide.ms) > MAX_WINDOWS_PER_RECORD) {
        const least = formatDuration(Math.ceil(args.size.ms / MAX_WINDOWS_PER_RECORD));
        p.fail(`window sliding ${args.size.text} every ${args.slide.text} puts each record in ${windowsPerRecord(args.size.ms, args.slide.ms)} windows; ` +
          `at most ${MAX_WINDOWS_PER_RECORD} are allowed: make the slide at least ${least}`, p.spanFrom(k.span.start));
      }
      break;
    case 'session':
      args.kind = 'session';
      args.size = positiveDuration(p, 'the session gap');
      break;
    case 'count':
      args.kind = 'count';
      args.n = count(p, 'the number of records per window');
      if (args.n < 1) p.fail('a count window needs at least 1 record', p.spanFrom(k.span.start));
      if (p.acceptKeyword('every')) {
        args.every = count(p, 'the number of records between windows');
        if (args.every < 1) p.fail("'every' needs at least 1 record", p.spanFrom(k.span.start));
      }
      break;
    default:
      p.fail(`unknown window kind '${k.name}' (tumbling, sliding, session, count)`, k.span);
  }
  const seen = new Set<string>();
  while (!p.atStageEnd()) {
    const c = p.peek();
    const word = c.kind === 'ident' ? c.text : '';
    if (!['on', 'allow', 'emit'].includes(word)) p.fail(`expected on FIELD, allow DURATION or emit ..., found '${p.text.slice(c.span.start, c.span.end)}'`, c.span);
    if (seen.has(word)) p.fail(`'${word}' given twice`, c.span);
    seen.add(word);
    p.next();
    if (word === 'on') args.on = p.path('the event-time field after on');
    else if (word === 'allow') {
      if (args.kind === 'count') p.fail('count windows have no lateness: they do not use time', c.span);
      const d = p.duration('the allowed lateness (a duration such as 5s)');
      args.allow = { ms: d.ms, text: d.text };
    } else args.emit = parseEmit(p);
  }
  return args;
}

function printWindow(a: WindowArgs): string {
  const parts: string[] = [a.kind];
  if (a.kind === 'count') parts.push(String(a.n), ...(a.every !== null ? ['every', String(a.every)] : []));
  else parts.push(a.size!.text, ...(a.slide ? ['every', a.slide.text] : []));
  if (a.on) parts.push('on', printExpr(a.on));
  if (a.allow) parts.push('allow', a.allow.text);
  const emit = printEmit(a.emit);
  if (emit) parts.push(emit);
  return parts.join(' ');
}

const MISSING_AGGREGATE = 'a window must be followed by an aggregate, as in: window tumbling 1m on ts | count() by service';

export const window = defineOperator<WindowArgs>({
  name: 'window',
  aliases: [],
  kind: 'aggregate',
  summary: 'assign records to windows for the aggregate that follows',
  usage: 'window tumbling|sliding|session|count SPEC [on FIELD] [allow DURATION] [emit final|every DURATION|changes]',
  description:
    'Groups records into windows for the aggregate stage right after it: `window tumbling 1m on ts | count() by service`. ' +
    '`tumbling SIZE`: [k·SIZE, (k+1)·SIZE) aligned to the Unix epoch in UTC. ' +
    '`sliding SIZE every SLIDE`: windows starting at multiples of SLIDE; a record is in every window that holds it (SIZE/SLIDE of them, at most ' + MAX_WINDOWS_PER_RECORD + ': a spec with more is refused). ' +
    '`session GAP`: per key, grows while records come less than GAP apart, merges when a record bridges two sessions; a session is [first, last + GAP). ' +
    '`count N [every M]`: per key, every N records (the last N, every M records, with every); a partial window is written at the end of input. ' +
    '`on FIELD` reads event time from FIELD (ISO-8601/RFC 3339, epoch s/ms/µs/ns by magnitude, nginx/apache and syslog stamps; --tz, --time-format); without it, @timestamp (arrival time). ' +
    'The watermark is kept per input partition (a file, stdin, a Kafka partition): each has the largest event time it has shown, and the window\'s watermark is ' +
    'the lowest of those over the active partitions, less `allow` (default 0); it never goes back. A partition takes part once it is assigned (holding the watermark ' +
    'back until it has data) or sends a record; it leaves when it ends (a file read to its end, a Kafka partition at its end under -e), is revoked, or has no record ' +
    'for --idle-partition DURATION, and comes back with its next record. With no active partition the watermark stays put, so files read one after another ' +
    'behave as one stream. A partition that holds the watermark back for long (30s without a record while others have ' +
    'them) is named once in a warning; --stats lists each partition\'s watermark when there are several. ' +
    'When the partitions are known from the start (a Kafka consumer\'s are assigned before it reads) and the disorder inside each stays within `allow`, ' +
    'the results do not depend on how the partitions interleave: the same windows with the same values, except what follows arrival order ' +
    '(first, last, collect, and, within one window end, the order of keys, which is that of first appearance). ' +
    'A window fires when the watermark reaches its end; ' +
    'a record is checked against the watermark before it is added and joins only windows that have not fired; a record that joins none is late: ' +
    'counted in --stats and dropped, or written to the dead-letter file with --late dead-letter. At the end of input every open window fires; ' +
    'interrupted (Ctrl-C, SIGTERM, SIGHUP) without --state, the open windows are written marked "final": false (with --state, the checkpoint keeps them). ' +
    'Results carry window_start and window_end, then the keys, then the aggregates, in window-end order, then window start, then the order keys appeared. ' +
    '`emit every DURATION` also writes early results (wall clock, live inputs only) marked "final": false, and the final one with "final": true; ' +
    '`emit changes` writes the window\'s result after every record ("final": false) and the final one at the end.',
  examples: [
    {
      program: 'window tumbling 1m on ts | count(), avg(ms) by svc',
      input: '{"ts":"2024-05-01T12:00:05Z","svc":"a","ms":10}\n{"ts":"2024-05-01T12:00:40Z","svc":"b","ms":30}\n{"ts":"2024-05-01T12:00:50Z","svc":"a","ms":20}\n{"ts":"2024-05-01T12:01:10Z","svc":"a","ms":5}\n',
      output:
        '{"window_start":"2024-05-01T12:00:00.000Z","window_end":"2024-05-01T12:01:00.000Z","svc":"a","count":2,"avg_ms":15}\n' +
        '{"window_start":"2024-05-01T12:00:00.000Z","window_end":"2024-05-01T12:01:00.000Z","svc":"b","count":1,"avg_ms":30}\n' +
        '{"window_start":"2024-05-01T12:01:00.000Z","window_end":"2024-05-01T12:02:00.000Z","svc":"a","count":1,"avg_ms":5}\n',
    },
    {
      program: 'window session 30s on ts | count() by user',
      input: '{"ts":"2024-05-01T12:00:00Z","user":"ann"}\n{"ts":"2024-05-01T12:00:20Z","user":"ann"}\n{"ts":"2024-05-01T12:01:30Z","user":"ann"}\n',
      output:
        '{"window_start":"2024-05-01T12:00:00.000Z","window_end":"2024-05-01T12:00:50.000Z","user":"ann","count":2}\n' +
        '{"window_start":"2024-05-01T12:01:30.000Z","window_end":"2024-05-01T12:02:00.000Z","user":"ann","count":1}\n',
    },
    {
      program: 'window count 2 on ts | sum(n)',
      input: '{"n":1,"ts":1714564800000}\n{"n":2,"ts":1714564801000}\n{"n":3,"ts":1714564802000}\n',
      output: '{"window_start":"2024-05-01T12:00:00.000Z","window_end":"2024-05-01T12:00:01.000Z","sum_n":3}\n{"window_start":"2024-05-01T12:00:02.000Z","window_end":"2024-05-01T12:00:02.000Z","sum_n":3}\n',
    },
  ],
  parse: parseWindow,
  print: printWindow,
  build() {
    throw new UsageError(MISSING_AGGREGATE);
  },
  fuses: {
    next: 'aggregate',
    missing: MISSING_AGGREGATE,
    build: (w, agg, ctx) => windowedAggregate(w, agg as AggregateArgs, ctx),
  },
  windows: true,
});

const RESULT_SOURCE = { name: '(window)' };

type Result = (start: number, end: number, g: Group, final: boolean) => Event;

/**
 * One window kind wired to the groups: the assigner in time/ decides which windows a record
 * joins and which are due; this adds records to their groups and writes results.
 */
interface Wiring {
  /** add a record at time t, checked against the watermark `mark`; false: it is late */
  add(ev: Event, t: number, mark: number, out: Batch): boolean;
  /** the earliest end among open windows: nothing is due before the watermark reaches it */
  nextEnd(): number;
  /** write the windows due at `mark` (Infinity: every open window, at the end of input; `final` false: interrupted) */
  fire(mark: number, out: Batch, final?: boolean): void;
  /** early results of the windows that changed since they were last written (emit every) */
  early(out: Batch): void;
  /** every open window's groups, changing nothing (the live table) */
  eachOpen(visit: (start: number, end: number, g: Group) => void): void;
  save(): unknown;
  load(state: unknown): void;
}

/** Tumbling and sliding windows: a table of groups per window. */
function fixedWiring(w: WindowArgs, grouper: Grouper, result: Result): Wiring {
  const make = () => new Map<unknown, Group>();
  const size = w.size!.ms;
  const panes: FixedWindows<Map<unknown, Group>> = w.kind === 'tumbling' ? new TumblingWindows(size, make) : new SlidingWindows(size, w.slide!.ms, make);
  const changes = w.emit.mode === 'changes';
  return {
    add(ev, t, mark, out) {
      let pane = panes.join(t, mark);
      if (pane === null) return false;
      do {
        const g = grouper.add(pane.state, ev);
        if (changes) out.push(result(pane.start, pane.end, g, false));
      } while ((pane = panes.next()) !== null);
      return true;
    },
    nextEnd: () => panes.nextEnd,
    fire(mark, out, final = true) {
      for (const pane of panes.fire(mark)) {
        for (const g of pane.state.values()) out.push(result(pane.start, pane.end, g, final));
        grouper.release(pane.state.size);
      }
    },
    early(out) {
      for (const pane of panes.open()) for (const g of pane.state.values()) if (g.dirty) out.push(result(pane.start, pane.end, g, false));
    },
    eachOpen(visit) {
      for (const pane of panes.open()) for (const g of pane.state.values()) visit(pane.start, pane.end, g);
    },
    save: () => panes.save((table) => grouper.saveTable(table)),
    load: (s) => panes.load(s as SavedPane<[unknown, SavedGroup][]>[], (table) => grouper.loadTable(table)),
  };
}

/** Session windows: one group per session. */
function sessionWiring(w: WindowArgs, grouper: Grouper, result: Result): Wiring {
  const sessions = new SessionWindows<Group, Maybe[]>(w.size!.ms, (keys) => grouper.fresh(keys), (into, from) => {
    grouper.merge(into, from);
    grouper.release(1);
  });
  const changes = w.emit.mode === 'changes';
  return {
    add(ev, t, mark, out) {
      const { key, keys } = grouper.keyOf(ev);
      const s = sessions.join(key, keys, t, mark);
      if (s === null) return false;
      grouper.addTo(s.state, ev);
      if (changes) out.push(result(s.start, s.end, s.state, false));
      return true;
    },
    nextEnd: () => sessions.nextEnd,
    fire(mark, out, final = true) {
      const due = sessions.fire(mark);
      for (const s of due) out.push(result(s.start, s.end, s.state, final));
      grouper.release(due.length);
    },
    early(out) {
      for (const s of sessions.open()) if (s.state.dirty) out.push(result(s.start, s.end, s.state, false));
    },
    eachOpen(visit) {
      for (const s of sessions.open()) visit(s.start, s.end, s.state);
    },
    save: () => sessions.save((g) => grouper.saveGroup(g)),
    load: (s) => sessions.load(s as SavedSessions<SavedGroup>, (g) => grouper.loadGroup(g)),
  };
}

/** Count windows: a group filling per key (count N), or the key's last N records (every M). */
function countWiring(w: WindowArgs, grouper: Grouper, result: Result, current: { t: number }): Wiring {
  const counts = new CountWindows<Group, Event, Maybe[]>(w.n, w.every, (keys) => grouper.fresh(keys));
  const changes = w.emit.mode === 'changes';
  const write = (win: CountWindow<Group, Event>, out: Batch, final = true) => {
    const first = counts.firstOf(win);
    let g: Group;
    if (w.every === null) g = win.state!;
    else {
      g = grouper.fresh(win.recent.length ? grouper.keyOf(win.recent[0]!.item).keys : []);
      for (const r of win.recent) {
        current.t = r.t;
        grouper.addTo(g, r.item);
      }
    }
    counts.close(win);
    out.push(result(first, win.last, g, final));
    grouper.release(1);
  };
  return {
    add(ev, t, _mark, out) {
      const { key, keys } = grouper.keyOf(ev);
      const win = counts.take(key, keys, t, ev);
      if (w.every === null) {
        grouper.addTo(win.state!, ev);
        if (changes && win.n < w.n) out.push(result(win.first, t, win.state!, false));
      }
      if (counts.due(win)) write(win, out);
      return true;
    },
    nextEnd: () => Infinity,
    fire(mark, out, final = true) {
      if (mark === Infinity) for (const win of counts.partials()) write(win, out, final);
    },
    early(out) {
      for (const win of counts.windows()) if (win.state?.dirty) out.push(result(win.first, win.last, win.state, false));
    },
    eachOpen(visit) {
      for (const win of counts.windows()) if (win.state) visit(win.first, win.last, win.state);
    },
    save: () => counts.save((g) => grouper.saveGroup(g), (ev) => ev),
    load: (s) => counts.load(s as SavedCountWindow<SavedGroup, Event>[], (g) => grouper.loadGroup(g), (ev) => ev),
  };
}

/** The window stage's checkpoint: plain data for v8.serialize (wall-clock timers are not in it). */
interface WindowSnapshot {
  kind: WindowArgs['kind'];
  /** the Grouper's arrival counter (first/last) */
  arrivals: number;
  watermarks: SavedWatermarks;
  /** --idle: the largest event time when the last batch came, which the wall clock is added to */
  maxAtArrival: number;
  /** the open windows with their groups, as the kind's wiring saves them */
  windows: unknown;
}

/**
 * A window followed by its aggregate, fused into one stateful stage: the window kind's wiring,
 * the watermark per input partition, --idle and --idle-partition on the wall clock, emission,
 * and checkpoints.
 */
export function windowedAggregate(w: WindowArgs, agg: AggregateArgs, baseCtx: BuildContext): Stage {
  const timeOf = w.on !== null ? eventTimeReader(w.on, baseCtx, 'window') : (ev: Event) => ev.timestamp;
  const current = { t: 0 };
  const ctx: BuildContext = { ...baseCtx, eventTime: () => current.t };
  const label = `window ${printWindow(w)} | ${printAggregate(agg)}`;
  const grouper = new Grouper(agg, ctx, label);
  const fmt = baseCtx.time.out === 'epoch_ms' ? (ms: number): Value => ms : (ms: number): Value => formatIso(ms);
  const early = w.emit.mode !== 'final';
  const result = (start: number, end: number, g: Group, final: boolean): Event => {
    for (const a of grouper.accsOf(g)) a.setSpan?.(end - start);
    g.dirty = false;
    const value = grouper.result(g, [['window_start', fmt(start)], ['window_end', fmt(end)]], early || !final ? [['final', final]] : undefined);
    return makeEvent(value, undefined, RESULT_SOURCE, 0, end);
  };
  const wiring = w.kind === 'count' ? countWiring(w, grouper, result, current) : w.kind === 'session' ? sessionWiring(w, grouper, result) : fixedWiring(w, grouper, result);

  // the watermark per input partition (count windows do not use time)
  const timed = w.kind !== 'count';
  const allow = w.allow?.ms ?? 0;
  const wm = new Watermarks(allow);
  if (timed && baseCtx.stats.watermarks === null) baseCtx.stats.watermarks = wm;
  let lastSource: Source | null = null;
  let lastPartition = -2;
  let part: PartitionMark | null = null;
  const partitionOf = (ev: Event, now: number): PartitionMark => {
    if (ev.source !== lastSource || ev.partition !== lastPartition || part === null) {
      lastSource = ev.source;
      lastPartition = ev.partition;
      part = wm.partition(partitionId(ev), now);
    }
    return part;
  };
  const moved = (mark: number, out: Batch) => {
    if (mark >= wiring.nextEnd()) wiring.fire(mark, out);
  };
  const late = (ev: Event, p: PartitionMark, t: number, mark: number) => {
    if (wm.partitions.size < 2) {
      baseCtx.late(ev, `late: event time ${formatIso(t)} is ${mark - t} ms behind the watermark ${formatIso(mark)}; its windows have fired`);
      return;
    }
    baseCtx.late(ev, `late: event time ${formatIso(t)} from ${p.id} is ${mark - t} ms behind the watermark ${formatIso(mark)}${heldBy()}; its windows have fired`);
  };
  const heldBy = (): string => {
    const holders = wm.holders();
    if (holders.length > 0) return ` (held by ${holders.join(', ')})`;
    if (wm.setBy === null) return '';
    if (wm.setBy === WALL_CLOCK) return ' (set by the wall clock, --idle)';
    const q = wm.partitions.get(wm.setBy);
    return q !== undefined && q.state !== 'active' ? ` (set by ${q.id}, now ${q.state})` : ` (set by ${wm.setBy})`;
  };
  const warnStalls = timed && baseCtx.idlePartitionMs === null;
  const stalled = (p: PartitionMark): string => {
    let ahead = -Infinity;
    for (const q of wm.partitions.values()) if (q.state === 'active' && q.max > ahead) ahead = q.max;
    const where = p.max > -Infinity ? `its event time is ${formatIso(p.max)}` : 'it has had no record yet';
    return `window: partition ${p.id} holds the watermark back (${where}, another partition is at ${formatIso(ahead)}): ` +
      'windows wait for it; if it stays quiet, --idle-partition DURATION lets the watermark go on without it';
  };

  let lastArrival = -Infinity;
  let maxAtArrival = -Infinity;
  let batches = 0;
  let tick: ((now: number) => Batch) | undefined;
  let tickMs = 0;
  const idleMs = timed ? baseCtx.idleMs : null;
  const idlePartitionMs = timed ? baseCtx.idlePartitionMs : null;
  if (w.emit.mode === 'every' || idleMs !== null || idlePartitionMs !== null) {
    const everyMs = w.emit.mode === 'every' ? w.emit.every.ms : Infinity;
    let lastEarly = Date.now();
    tick = (now: number): Batch => {
      const out: Batch = [];
      if (idlePartitionMs !== null) moved(wm.idleAfter(idlePartitionMs, now), out);
      // a quiet stream: let event time follow the wall clock
      if (idleMs !== null && now - lastArrival >= idleMs && maxAtArrival > -Infinity) moved(wm.follow(maxAtArrival + (now - lastArrival)), out);
      if (now - lastEarly >= everyMs) {
        lastEarly = now;
        wiring.early(out);
      }
      return out;
    };
    tickMs = Math.min(everyMs, baseCtx.idleMs ?? Infinity, idlePartitionMs ?? Infinity, 1000) / 4;
  }
  const stage: StatefulStage = {
    kind: 'stateful',
    holds: true,
    label,
    stateSize: () => grouper.held,
    push(batch: Batch): Batch {
      const out: Batch = [];
      const now = Date.now();
      const batchNo = batches++;
      for (let i = 0; i < batch.length; i++) {
        const ev = batch[i]!;
        const t = timeOf(ev);
        if (t === null) continue;
        current.t = t;
        if (!timed) {
          wiring.add(ev, t, -Infinity, out);
          continue;
        }
        const p = partitionOf(ev, now);
        p.lastWall = now;
        p.lastBatch = batchNo;
        wm.activate(p);
        const mark = wm.value;
        if (!wiring.add(ev, t, mark, out)) late(ev, p, t, mark);
        // a late record is still its partition's progress (its time is below the watermark: nothing moves)
        if (wm.observe(p, t) >= wiring.nextEnd()) wiring.fire(wm.value, out);
      }
      lastArrival = now;
      maxAtArrival = wm.maxSeen;
      if (warnStalls && wm.partitions.size > 1) for (const p of wm.stalled(batchNo, now)) baseCtx.warn(stalled(p));
      return out;
    },
    end(): Batch {
      const out: Batch = [];
      wiring.fire(Infinity, out);
      return out;
    },
    peek() {
      const out: Value[] = [];
      wiring.eachOpen((start, end, g) => {
        for (const a of grouper.accsOf(g)) a.setSpan?.(end - start);
        out.push(grouper.result(g, [['window_start', fmt(start)], ['window_end', fmt(end)]]));
      });
      return out;
    },
    interrupt() {
      const out: Batch = [];
      wiring.fire(Infinity, out, false);
      return { out, partial: out.length, withheld: 0 };
    },
    partition(change: PartitionChange): Batch {
      const out: Batch = [];
      if (timed) moved(wm.change(change.kind, change.partition, Date.now()), out);
      return out;
    },
    snapshot(): WindowSnapshot {
      return { kind: w.kind, arrivals: grouper.arrivals, watermarks: wm.save(), maxAtArrival, windows: wiring.save() };
    },
    restore(state: unknown) {
      const s = state as WindowSnapshot;
      if (s?.kind !== w.kind) throw new UsageError(`the saved state is not that of a ${w.kind} window`);
      grouper.arrivals = s.arrivals;
      wiring.load(s.windows);
      const now = Date.now();
      wm.load(s.watermarks, now);
      lastSource = null;
      part = null;
      lastArrival = now;
      maxAtArrival = s.maxAtArrival;
    },
    ...(tick ? { tick, tickMs } : {}),
  };
  return stage;
}
