// Every example in the registries is documentation that runs: operator and aggregate
// examples go through the real parser, compiler, operators and executor; function examples
// through the compiler.

import { describe, expect, it } from 'vitest';
import { aggregateList } from '../src/aggregates/index.js';
import { exprCompiler } from '../src/lang/compiler.js';
import { functionList } from '../src/lang/functions.js';
import { parseExpression } from '../src/lang/parser.js';
import { operatorList } from '../src/operators/index.js';
import { makeEvent, type Value } from '../src/core/event.js';
import { runText } from '../src/plan/run-text.js';
import { firstRow, loadTable } from '../src/operators/join-table.js';
import type { TableResolver } from '../src/lang/function-types.js';

/** The lookup tables a function example names (`tables`), loaded from fixtures/. */
function exampleTables(tables: { [name: string]: { file: string; key: string } } = {}): TableResolver {
  return {
    get(name) {
      const spec = tables[name];
      if (spec === undefined) return undefined;
      const t = loadTable(spec, { infer: true, bufferBytes: 2 ** 20, warn: () => undefined });
      return { lookup: (k) => firstRow(t, k) };
    },
    names: () => Object.keys(tables),
  };
}

describe('operator examples', () => {
  const cases = operatorList.flatMap((op) => op.examples.map((e) => [op.name, e] as const));
  it('every operator has an example', () => {
    for (const op of operatorList) expect(op.examples.length, op.name).toBeGreaterThan(0);
  });
  it.each(cases)('%s: %j', async (_name, e) => {
    const r = await runText(e.program, e.input);
    expect(r.output).toBe(e.output);
  });
});

describe('aggregate examples', () => {
  const cases = aggregateList.flatMap((a) => a.examples.map((e) => [a.name, e] as const));
  it.each(cases)('%s: %j', async (_name, e) => {
    const r = await runText(e.program, e.input);
    expect(r.output).toBe(e.output);
  });
});

describe('function examples', () => {
  const cases = functionList.flatMap((f) => f.examples.map((e) => [f.name, e] as const));
  it('every function has an example', () => {
    for (const f of functionList) expect(f.examples.length, f.name).toBeGreaterThan(0);
  });
  it.each(cases)('%s: %j', (_name, e) => {
    const c = exprCompiler({ text: e.expr, typeError: () => undefined, aggregateNames: new Set(), tables: exampleTables(e.tables) });
    const record = (e.input === undefined ? {} : JSON.parse(e.input)) as Value;
    const got = c.value(parseExpression(e.expr))(record, makeEvent(record, undefined, { name: '-' }, 1, 0));
    expect(got === undefined ? null : got).toEqual(JSON.parse(e.output));
  });
});
