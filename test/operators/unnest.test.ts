// unnest through the real parser and compiler: one record per element, the rest of the record
// kept, the index from 0; and the count property (records out = the sum of the array lengths).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../src/plan/compile.js';
import { makeEvent, type Value } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { StatelessStage } from '../../src/operators/types.js';

function stage(program: string): { push(values: Value[]): Value[]; stats: Stats } {
  const stats = new Stats();
  const hooks = { warn: () => undefined, bad: () => undefined, late: () => undefined, assertFailed: () => undefined };
  const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, hooks);
  const s = stages[0] as StatelessStage;
  return {
    stats,
    push: (values) => s.push(values.map((v, i) => makeEvent(v, undefined, { name: '-' }, i + 1, 0))).map((e) => e.value),
  };
}

const items = fc.oneof(fc.array(fc.jsonValue(), { maxLength: 6 }), fc.constant(null), fc.constant(undefined), fc.string(), fc.integer());
const records = fc.array(fc.record({ id: fc.integer(), items }, { requiredKeys: ['id'] }), { maxLength: 20 });

describe('unnest', () => {
  it('writes as many records as the arrays have elements, in order, with the index', () => {
    fc.assert(fc.property(records, (recs) => {
      const s = stage('unnest items as item index i');
      const out = s.push(recs as Value[]) as { id: number; item: Value; i: number }[];
      const arrays = recs.map((r) => r.items).filter((x): x is Value[] => Array.isArray(x));
      expect(out.length).toBe(arrays.reduce((n, a) => n + a.length, 0));
      const want = recs.flatMap((r) => (Array.isArray(r.items) ? r.items.map((item, i) => ({ id: r.id, item, i })) : []));
      expect(out).toEqual(want);
      // wrong types are counted; missing, null and [] are not
      expect(s.stats.typeErrors).toBe(recs.filter((r) => typeof r.items === 'string' || typeof r.items === 'number').length);
    }), { numRuns: 300 });
  });

  it('keep-empty writes one record for each record without elements', () => {
    fc.assert(fc.property(records, (recs) => {
      const out = stage('unnest items keep-empty').push(recs as Value[]);
      expect(out.length).toBe(recs.reduce((n, r) => n + (Array.isArray(r.items) && r.items.length > 0 ? r.items.length : 1), 0));
    }), { numRuns: 300 });
  });

  it('leaves its input records unchanged', () => {
    const rec = { id: 1, items: [1, 2], o: { lines: [3] } };
    const copy = structuredClone(rec);
    stage('unnest items as x index i').push([rec]);
    stage('unnest o.lines').push([rec]);
    expect(rec).toEqual(copy);
  });

  it('unnests a nested path in place, and this', () => {
    expect(stage('unnest o.lines').push([{ o: { id: 1, lines: [3, 4] } }])).toEqual([{ o: { id: 1, lines: 3 } }, { o: { id: 1, lines: 4 } }]);
    expect(stage('unnest this').push([[1, [2]], []])).toEqual([1, [2]]);
  });
});
