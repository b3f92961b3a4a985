// The running stage against a reference model written the plain way: per key, a list of the
// values seen so far, recomputed for each record. Records come in random batch cuts and with
// nulls, missing fields, numeric strings and values of the wrong type.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEvent, type Batch, type Event, type Value } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { StatefulStage } from '../../src/operators/types.js';
import { compileProgram } from '../../src/plan/compile.js';
import { runText } from '../../src/plan/run-text.js';

const PROGRAM = 'running running_sum(v) as s, running_count() as n, running_count(v) as nv, prev(v) as p, delta(v) as d by k';

function build(program: string, stats = new Stats()): StatefulStage {
  const hooks = { bad: () => undefined, late: () => undefined, assertFailed: () => undefined, warn: () => undefined };
  const [stage] = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, stats, hooks).stages;
  return stage as StatefulStage;
}

const num = (v: Value | undefined): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && /^[-+]?\d+(\.\d+)?$/.test(v) ? Number(v) : null;

/** The model: every record's fields from the whole history of its key, and the type errors it counts. */
function model(records: { [k: string]: Value }[]): { out: { [k: string]: Value }[]; typeErrors: number } {
  const history = new Map<string, (Value | undefined)[]>();
  let typeErrors = 0;
  const out = records.map((r) => {
    const key = JSON.stringify(r.k ?? null);
    const before = history.get(key) ?? [];
    const v = r.v;
    const wrongType = v !== undefined && v !== null && num(v) === null;
    if (wrongType) typeErrors += 2; // running_sum and delta each count it
    const all = [...before, v];
    const nums = all.map(num).filter((x): x is number => x !== null);
    const lastNum = before.map(num).filter((x): x is number => x !== null).at(-1);
    history.set(key, all);
    return {
      ...r,
      s: nums.length === 0 ? null : nums.reduce((a, b) => a + b, 0),
      n: all.length,
      nv: all.filter((x) => x !== undefined && x !== null).length,
      p: before.length === 0 ? null : before.at(-1) ?? null,
      d: num(v) !== null && lastNum !== undefined ? num(v)! - lastNum : null,
    };
  });
  return { out, typeErrors };
}

const arbValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom<Value>(null, 'abc', true, '12', '-3.5', { x: 1 }) },
);
const arbRecord = fc.record({ k: fc.constantFrom<Value>('a', 'b', 'c', null, 1), v: arbValue }, { requiredKeys: [] });

function cut(events: Event[], sizes: number[]): Batch[] {
  const out: Batch[] = [];
  let at = 0;
  for (const n of sizes) { out.push(events.slice(at, at + n)); at += n; }
  out.push(events.slice(at));
  return out;
}

describe('running', () => {
  it('equals the reference model, however the input is cut into batches', () => {
    fc.assert(fc.property(fc.array(arbRecord, { maxLength: 80 }), fc.array(fc.nat({ max: 9 }), { maxLength: 20 }), (records, sizes) => {
      const stats = new Stats();
      const stage = build(PROGRAM, stats);
      const events = records.map((r, i) => makeEvent(r as Value, undefined, { name: 'in' }, i + 1, 0));
      const got = cut(events, sizes).flatMap((b) => stage.push(b)).map((e) => e.value);
      const want = model(records as { [k: string]: Value }[]);
      expect(got).toEqual(want.out);
      expect(stats.typeErrors).toBe(want.typeErrors);
    }), { numRuns: 200 });
  });

  it('the last running_sum of each key is the sum aggregate of that key (compensated, no drift)', async () => {
    const input = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ k: `k${i % 3}`, v: 0.1 * (i % 7) })).join('\n') + '\n';
    const run = (await runText('running running_sum(v) as s by k', input)).output.trim().split('\n').map((l) => JSON.parse(l));
    const last = new Map(run.map((r) => [r.k, r.s]));
    const agg = (await runText('sum(v) by k', input)).output.trim().split('\n').map((l) => JSON.parse(l));
    for (const r of agg) expect(last.get(r.k)).toBe(r.sum_v);
  });

  it('holds one entry per key, and --max-state stops at the limit with exit 75 naming the stage', () => {
    const stats = new Stats();
    const hooks = { bad: () => undefined, late: () => undefined, assertFailed: () => undefined, warn: () => undefined };
    const [stage] = compileProgram('running running_count() by k', { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null, maxState: 2 }, stats, hooks).stages;
    const s = stage as StatefulStage;
    const ev = (k: string, i: number) => makeEvent({ k }, undefined, { name: 'in' }, i, 0);
    s.push([ev('a', 1), ev('b', 2), ev('a', 3)]);
    expect(s.stateSize?.()).toBe(2);
    try {
      s.push([ev('c', 4)]);
      expect.unreachable();
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(75);
      expect((e as Error).message).toMatch(/^running running_count\(\) by k: more than 2 keys held/);
    }
  });

  it('each running function written as an expression function points at the running stage', async () => {
    const { running } = await import('../../src/operators/running.js');
    const names = [...running.description.matchAll(/`(\w+)\(/g)].map((m) => m[1]!);
    expect(names).toEqual(['running_sum', 'running_count', 'prev', 'delta']);
    for (const n of names) expect(() => build(`set a = ${n}(x)`)).toThrow(new RegExp(`'${n}' is a running value; use the running stage`));
  });

  it('prints back as it parses (the canonical form --state compares)', async () => {
    const { parseProgram } = await import('../../src/lang/parser.js');
    const { grammar, stageText } = await import('../../src/operators/index.js');
    const p = parseProgram('running  running_sum( x ) as t,prev(y),running_count() by a , b as bb', grammar);
    expect(stageText(p.stages[0]!.op, p.stages[0]!.args)).toBe('running running_sum(x) as t, prev(y), running_count() by a, b as bb');
  });
});
