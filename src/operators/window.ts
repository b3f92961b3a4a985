import { UsageError } from '../errors/errors.js';
import type { Expr } from '../lang/ast.js';
import type { StageParser } from '../lang/parser.js';
import { printExpr } from '../lang/print.js';
import { makeEvent, type Batch, type Event, type Value } from '../core/event.js';
import { formatIso } from '../time/format.js';
import { slidingStarts, tumblingStart, Watermark } from '../time/windows.js';
import { Grouper, type AggregateArgs, type Group } from './aggregate.js';
import { eventTimeReader } from './event-time.js';
import { parseEmit, positiveDuration, printEmit, type Dur, type Emit } from './emit.js';
import { count } from './head.js';
import { defineOperator, type BuildContext, type Stage } from './types.js';

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
    '`sliding SIZE every SLIDE`: windows starting at multiples of SLIDE; a record is in every window that holds it. ' +
    '`session GAP`: per key, grows while records come less than GAP apart, merges when a record bridges two sessions; a session is [first, last + GAP). ' +
    '`count N [every M]`: per key, every N records (the last N, every M records, with every); a partial window is written at the end of input. ' +
    '`on FIELD` reads event time from FIELD (ISO-8601/RFC 3339, epoch s/ms/µs/ns by magnitude, nginx/apache and syslog stamps; --tz, --time-format); without it, @timestamp (arrival time). ' +
    'The watermark is the largest event time seen less `allow` (default 0). A window fires when the watermark reaches its end; ' +
    'a record is checked against the watermark before it is added and joins only windows that have not fired; a record that joins none is late: ' +
    'counted in --stats and dropped, or written to the dead-letter file with --late dead-letter. At the end of input every open window fires. ' +
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

interface TimeWindow {
  start: number;
  end: number;
  table: Map<unknown, Group>;
}

interface Session {
  start: number;
  end: number;
  group: Group;
  /** arrival number of the session's first record: ties in output order go by it */
  firstSeq: number;
}

interface CountState {
  group: Group | null;
  n: number;
  first: number;
  last: number;
  /** count every M: the last N events with their times */
  recent: { ev: Event; t: number }[];
  sinceEmit: number;
}

/** A window followed by its aggregate, fused into one stateful stage. */
export function windowedAggregate(w: WindowArgs, agg: AggregateArgs, baseCtx: BuildContext): Stage {
  const timeOf = w.on !== null ? eventTimeReader(w.on, baseCtx, 'window') : (ev: Event) => ev.timestamp;
  const current = { t: 0 };
  const ctx: BuildContext = { ...baseCtx, eventTime: () => current.t };
  const grouper = new Grouper(agg, ctx);
  const fmt = baseCtx.time.out === 'epoch_ms' ? (ms: number): Value => ms : (ms: number): Value => formatIso(ms);
  const early = w.emit.mode !== 'final';
  const wm = new Watermark(w.allow?.ms ?? 0);
  const size = w.size?.ms ?? 0;

  const result = (start: number, end: number, g: Group, final: boolean, spanEnd = end): Event => {
    for (const a of g.accs) a.setSpan?.(spanEnd - start);
    g.dirty = false;
    const value = grouper.result(g, [['window_start', fmt(start)], ['window_end', fmt(end)]], early ? [['final', final]] : undefined);
    return makeEvent(value, undefined, RESULT_SOURCE, 0, end);
  };
  const late = (ev: Event, t: number, mark: number) => {
    baseCtx.late(ev, `late: event time ${formatIso(t)} is ${mark - t} ms behind the watermark ${formatIso(mark)}; its windows have fired`);
  };

  // ---- tumbling and sliding
  const windows = new Map<number, TimeWindow>();
  let nextEnd = Infinity;
  const fireTimed = (mark: number, out: Batch, all = false) => {
    const due: TimeWindow[] = [];
    let next = Infinity;
    for (const win of windows.values()) {
      if (all || win.end <= mark) due.push(win);
      else if (win.end < next) next = win.end;
    }
    due.sort((a, b) => a.end - b.end || a.start - b.start);
    for (const win of due) {
      windows.delete(win.start);
      for (const g of win.table.values()) out.push(result(win.start, win.end, g, true));
    }
    nextEnd = next;
  };
  const addTimed = (ev: Event, t: number, out: Batch) => {
    const mark = wm.value;
    const starts = w.kind === 'tumbling' ? [tumblingStart(t, size)] : slidingStarts(t, size, w.slide!.ms);
    let joined = false;
    for (const s of starts) {
      const end = s + size;
      if (end <= mark) continue;
      let win = windows.get(s);
      if (win === undefined) {
        win = { start: s, end, table: new Map() };
        windows.set(s, win);
        if (end < nextEnd) nextEnd = end;
      }
      const g = grouper.add(win.table, ev);
      joined = true;
      if (w.emit.mode === 'changes') out.push(result(win.start, win.end, g, false));
    }
    if (!joined) return late(ev, t, mark);
    if (wm.advance(t) >= nextEnd) fireTimed(wm.value, out);
  };

  // ---- sessions (per key)
  const sessions = new Map<unknown, Session[]>();
  let arrivals = 0;
  const fireSessions = (mark: number, out: Batch, all = false) => {
    const due: Session[] = [];
    let next = Infinity;
    for (const [key, list] of sessions) {
      const keep: Session[] = [];
      for (const s of list) {
        if (all || s.end <= mark) due.push(s);
        else {
          keep.push(s);
          if (s.end < next) next = s.end;
        }
      }
      if (keep.length === 0) sessions.delete(key);
      else if (keep.length !== list.length) sessions.set(key, keep);
    }
    due.sort((a, b) => a.end - b.end || a.start - b.start || a.firstSeq - b.firstSeq);
    for (const s of due) out.push(result(s.start, s.end, s.group, true));
    nextEnd = next;
  };
  const addSession = (ev: Event, t: number, out: Batch) => {
    const mark = wm.value;
    const seq = arrivals++;
    const { key, keys } = grouper.keyOf(ev);
    const lo = t;
    const hi = t + size;
    const list = sessions.get(key) ?? [];
    const hits = list.filter((s) => s.start < hi && lo < s.end);
    let s: Session;
    if (hits.length === 0) {
      if (hi <= mark) return late(ev, t, mark);
      s = { start: lo, end: hi, group: grouper.fresh(keys), firstSeq: seq };
      list.push(s);
      sessions.set(key, list);
    } else {
      hits.sort((a, b) => a.start - b.start);
      s = hits[0]!;
      for (const o of hits.slice(1)) {
        grouper.merge(s.group, o.group);
        s.end = Math.max(s.end, o.end);
        s.firstSeq = Math.min(s.firstSeq, o.firstSeq);
        list.splice(list.indexOf(o), 1);
      }
      s.start = Math.min(s.start, lo);
      s.end = Math.max(s.end, hi);
    }
    grouper.addTo(s.group, ev);
    if (s.end < nextEnd) nextEnd = s.end;
    if (w.emit.mode === 'changes') out.push(result(s.start, s.end, s.group, false));
    if (wm.advance(t) >= nextEnd) fireSessions(wm.value, out);
  };

  // ---- count windows (per key, no time)
  const counts = new Map<unknown, CountState>();
  const countResult = (st: CountState, out: Batch) => {
    let g: Group;
    let first: number;
    if (w.every === null) {
      g = st.group!;
      first = st.first;
      st.group = null;
      st.n = 0;
    } else {
      g = grouper.fresh(st.recent.length ? grouper.keyOf(st.recent[0]!.ev).keys : []);
      for (const r of st.recent) {
        current.t = r.t;
        grouper.addTo(g, r.ev);
      }
      first = st.recent[0]!.t;
      st.sinceEmit = 0;
    }
    out.push(result(first, st.last, g, true));
  };
  const addCount = (ev: Event, t: number, out: Batch) => {
    const { key, keys } = grouper.keyOf(ev);
    let st = counts.get(key);
    if (st === undefined) {
      st = { group: null, n: 0, first: t, last: t, recent: [], sinceEmit: 0 };
      counts.set(key, st);
    }
    st.last = t;
    if (w.every === null) {
      if (st.group === null) {
        st.group = grouper.fresh(keys);
        st.first = t;
      }
      grouper.addTo(st.group, ev);
      st.n++;
      if (w.emit.mode === 'changes' && st.n < w.n) out.push(result(st.first, t, st.group, false));
      if (st.n === w.n) countResult(st, out);
    } else {
      st.recent.push({ ev, t });
      if (st.recent.length > w.n) st.recent.shift();
      st.sinceEmit++;
      if (st.sinceEmit === w.every) countResult(st, out);
    }
  };

  const add = w.kind === 'session' ? addSession : w.kind === 'count' ? addCount : addTimed;
  let lastArrival = -Infinity;
  let maxAtArrival = -Infinity;
  let tick: ((now: number) => Batch) | undefined;
  let tickMs = 0;
  if (w.emit.mode === 'every' || (baseCtx.idleMs !== null && w.kind !== 'count')) {
    const everyMs = w.emit.mode === 'every' ? w.emit.every.ms : Infinity;
    let lastEarly = Date.now();
    tick = (now: number): Batch => {
      const out: Batch = [];
      if (baseCtx.idleMs !== null && now - lastArrival >= baseCtx.idleMs && maxAtArrival > -Infinity) {
        // a quiet stream: let event time follow the wall clock
        const mark = wm.advance(maxAtArrival + (now - lastArrival));
        if (mark >= nextEnd) (w.kind === 'session' ? fireSessions : fireTimed)(mark, out);
      }
      if (now - lastEarly >= everyMs) {
        lastEarly = now;
        if (w.kind === 'session') {
          for (const list of sessions.values()) for (const s of list) if (s.group.dirty) out.push(result(s.start, s.end, s.group, false));
        } else if (w.kind === 'count') {
          for (const st of counts.values()) if (st.group?.dirty) out.push(result(st.first, st.last, st.group, false));
        } else {
          const open = [...windows.values()].sort((a, b) => a.end - b.end || a.start - b.start);
          for (const win of open) for (const g of win.table.values()) if (g.dirty) out.push(result(win.start, win.end, g, false));
        }
      }
      return out;
    };
    tickMs = Math.min(everyMs, baseCtx.idleMs ?? Infinity, 1000) / 4;
  }
  const stage: Stage = {
    kind: 'stateful',
    holds: true,
    push(batch: Batch): Batch {
      const out: Batch = [];
      for (let i = 0; i < batch.length; i++) {
        const ev = batch[i]!;
        const t = timeOf(ev);
        if (t === null) continue;
        current.t = t;
        add(ev, t, out);
      }
      lastArrival = Date.now();
      maxAtArrival = wm.maxSeen;
      return out;
    },
    end(): Batch {
      const out: Batch = [];
      if (w.kind === 'session') fireSessions(Infinity, out, true);
      else if (w.kind === 'count') {
        // the partial windows, in window-end order like every other result (then window start,
        // then the order keys appeared: the sort is stable over the map's insertion order)
        const open: { st: CountState; first: number }[] = [];
        for (const st of counts.values()) {
          if (w.every === null ? st.n > 0 : st.sinceEmit > 0) open.push({ st, first: w.every === null ? st.first : st.recent[0]!.t });
        }
        open.sort((a, b) => a.st.last - b.st.last || a.first - b.first);
        for (const { st } of open) countResult(st, out);
      } else fireTimed(Infinity, out, true);
      return out;
    },
    snapshot() {
      throw new UsageError('window state cannot be checkpointed yet');
    },
    restore() {
      throw new UsageError('window state cannot be checkpointed yet');
    },
    ...(tick ? { tick, tickMs } : {}),
  };
  return stage;
}

