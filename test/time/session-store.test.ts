// The session store on its own: against a reference that keeps sessions in a plain list and
// sorts on every firing (the order the heap must give), and the cost of many open sessions,
// which used to be a scan of every key each time the watermark moved (issue #16.8).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionWindows } from '../../src/time/session.js';

interface Ref {
  key: number;
  start: number;
  end: number;
  recs: number[];
  firstSeq: number;
}

/** The reference model: per key a list of sessions, merged on overlap; firing sorts the due ones. */
class Reference {
  open: Ref[] = [];
  seq = 0;
  join(key: number, t: number, mark: number, rec: number): boolean {
    const seq = this.seq++;
    const hi = t + 10;
    const hits = this.open.filter((o) => o.key === key && o.start < hi && t < o.end);
    if (hits.length === 0) {
      if (hi <= mark) return false;
      this.open.push({ key, start: t, end: hi, recs: [rec], firstSeq: seq });
      return true;
    }
    const s: Ref = {
      key,
      start: Math.min(t, ...hits.map((h) => h.start)),
      end: Math.max(hi, ...hits.map((h) => h.end)),
      recs: [...hits.flatMap((h) => h.recs), rec].sort((a, b) => a - b),
      firstSeq: Math.min(...hits.map((h) => h.firstSeq)),
    };
    this.open = this.open.filter((o) => !hits.includes(o));
    this.open.push(s);
    return true;
  }
  fire(mark: number): string[] {
    const due = this.open.filter((o) => o.end <= mark).sort((a, b) => a.end - b.end || a.start - b.start || a.firstSeq - b.firstSeq);
    this.open = this.open.filter((o) => o.end > mark);
    return due.map((s) => `${s.key} ${s.start} ${s.end} ${s.recs.join(',')}`);
  }
  nextEnd(): number {
    return Math.min(Infinity, ...this.open.map((o) => o.end));
  }
}

describe('session store', () => {
  it('fires the sessions of a reference model, in its order, through merges, late starts and checkpoints', () => {
    const step = fc.oneof(
      fc.record({ key: fc.integer({ min: 0, max: 3 }), t: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ mark: fc.integer({ min: 0, max: 220 }) }),
      fc.constant('save' as const),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
      let store = new SessionWindows<number[], number>(10, () => [], (into, from) => { into.push(...from); });
      const ref = new Reference();
      let mark = -Infinity;
      let rec = 0;
      const fired = (m: number) => store.fire(m).map((s) => `${keyOf(s.state)} ${s.start} ${s.end} ${[...s.state].sort((a, b) => a - b).join(',')}`);
      const keys = new Map<number, number>();
      const keyOf = (state: number[]) => keys.get(state[0]!);
      for (const s of steps) {
        if (s === 'save') {
          const saved = structuredClone(store.save((p) => p));
          store = new SessionWindows<number[], number>(10, () => [], (into, from) => { into.push(...from); });
          store.load(saved, (p) => p);
        } else if ('mark' in s) {
          mark = Math.max(mark, s.mark);
          if (mark >= store.nextEnd) expect(fired(mark)).toEqual(ref.fire(mark));
          else expect(ref.fire(mark)).toEqual([]);
        } else {
          const r = rec++;
          keys.set(r, s.key);
          const joined = store.join(s.key, s.key, s.t, mark);
          if (joined !== null) joined.state.push(r);
          expect(joined !== null).toBe(ref.join(s.key, s.t, mark, r));
        }
        expect(store.nextEnd).toBe(ref.nextEnd());
        expect(store.size).toBe(ref.open.length);
      }
      expect(fired(Infinity)).toEqual(ref.fire(Infinity));
    }), { numRuns: 300 });
  });

  it('keeps 25 000 open sessions over 100 000 records, the watermark moving at every record, in a few seconds at most', () => {
    // each record opens a session of its own key; the watermark (its time) fires the one
    // that ended: the old store scanned every open key at each firing (over 20 s for this)
    const n = 100_000;
    const open = 25_000;
    const store = new SessionWindows<{ n: number }, null>(open, () => ({ n: 0 }), () => undefined);
    let fired = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      store.join(i, null, i, i)!.state.n++;
      if (i >= store.nextEnd) fired += store.fire(i).length;
    }
    const ms = performance.now() - t0;
    expect(store.size).toBe(open);
    expect(fired).toBe(n - open);
    expect(fired + store.fire(Infinity).length).toBe(n);
    expect(ms).toBeLessThan(4000);
  });
});
