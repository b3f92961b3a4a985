// Every spec's examples, run through a small reference of the aggregate stage (simple
// fields as arguments and keys, `as` names, groups in order of first appearance, keys then
// aggregates, output names `<fn>_<field>` and `count`). The CLI's golden tests run the same
// examples through the real parser and executor; this keeps the specs honest on their own.

import { describe, expect, it } from 'vitest';
import { aggregateList, aggregates } from '../../src/aggregates/index.js';
import type { Accumulator } from '../../src/aggregates/types.js';
import type { Rec, Value } from '../../src/core/event.js';

interface Call {
  fn: string;
  field: string | null;
  params: Value[];
  name: string;
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parse(program: string): { calls: Call[]; by: string[] } {
  const [aggPart, byPart] = program.split(/\s+by\s+/);
  const calls = splitTop(aggPart!).map((text): Call => {
    const m = /^([a-z_0-9]+)\((.*)\)(?:\s+as\s+([A-Za-z_][A-Za-z_0-9]*))?$/.exec(text);
    if (!m) throw new Error(`cannot read ${text}`);
    const fn = m[1]!;
    const args = splitTop(m[2]!);
    const field = args.length > 0 ? args[0]! : null;
    const params = args.slice(1).map((a) => JSON.parse(a) as Value);
    expect(/^[A-Za-z_][A-Za-z_0-9]*$/.test(field ?? 'x'), `simple field in ${text}`).toBe(true);
    return { fn, field, params, name: m[3] ?? (field === null ? fn : `${fn}_${field}`) };
  });
  return { calls, by: byPart ? splitTop(byPart) : [] };
}

function evaluate(program: string, input: string): string {
  const { calls, by } = parse(program);
  const specs = calls.map((c) => {
    const s = aggregates.get(c.fn);
    if (!s) throw new Error(`unknown aggregate ${c.fn}`);
    const argc = c.field === null ? 0 : 1;
    expect(argc >= s.minArgs && argc <= s.maxArgs, `arity of ${c.fn}`).toBe(true);
    expect(s.checkParams ? s.checkParams(c.params) : null, `params of ${c.fn}`).toBeNull();
    return s;
  });
  const groups = new Map<string, { keys: Value[]; accs: Accumulator[] }>();
  for (const line of input.split('\n')) {
    if (line.trim() === '') continue;
    const rec = JSON.parse(line) as Rec;
    const keys = by.map((k) => rec[k] ?? null);
    const id = JSON.stringify(keys);
    let g = groups.get(id);
    if (!g) {
      g = { keys, accs: calls.map((c, i) => specs[i]!.fresh(c.params, c.field === null ? 0 : 1)) };
      groups.set(id, g);
    }
    calls.forEach((c, i) => g.accs[i]!.add(c.field === null ? undefined : rec[c.field]));
  }
  if (groups.size === 0 && by.length === 0) {
    groups.set('[]', { keys: [], accs: calls.map((c, i) => specs[i]!.fresh(c.params, c.field === null ? 0 : 1)) });
  }
  let out = '';
  for (const g of groups.values()) {
    const o: Rec = {};
    by.forEach((k, i) => (o[k] = g.keys[i]!));
    calls.forEach((c, i) => (o[c.name] = g.accs[i]!.result()));
    out += JSON.stringify(o) + '\n';
  }
  return out;
}

describe('spec examples', () => {
  for (const s of aggregateList) {
    // examples over windows need the real engine: test/registry-examples.test.ts runs them all
    s.examples.filter((ex) => !ex.program.startsWith('window')).forEach((ex, i) => {
      it(`${s.name} #${i + 1}: ${ex.program}`, () => {
        expect(ex.program).toMatch(new RegExp(`\\b${s.name}\\(`));
        expect(ex.input.endsWith('\n') && ex.output.endsWith('\n')).toBe(true);
        expect(evaluate(ex.program, ex.input)).toBe(ex.output);
      });
    });
  }
});
