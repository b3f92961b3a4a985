// The lookup join against a reference model: every pair of (record, table row) whose keys have the
// same text, nested-loop style, in record order then table order; unmatched records kept by `left`.

import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import v8 from 'node:v8';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LimitError } from '../../src/errors/errors.js';
import { loadTable } from '../../src/operators/join-table.js';
import { grammar, stageText } from '../../src/operators/index.js';
import { parseProgram } from '../../src/lang/parser.js';
import { runText } from '../../src/plan/run-text.js';
import { compileProgram } from '../../src/plan/compile.js';
import { makeEvent } from '../../src/core/event.js';
import { Stats } from '../../src/core/stats.js';
import type { StatefulStage } from '../../src/operators/types.js';

const dir = mkdtempSync(joinPath(tmpdir(), 'sluice-join-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function tableFile(rows: object[], ext = 'ndjson'): string {
  const f = joinPath(dir, `t${files++}.${ext}`);
  writeFileSync(f, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  return f;
}

type Key = number | string | boolean | null | undefined;
const keyArb: fc.Arbitrary<Key> = fc.oneof(
  fc.integer({ min: 0, max: 4 }),
  fc.integer({ min: 0, max: 4 }).map(String),
  fc.constantFrom<Key>(true, 'true', null, undefined, 1.5, '1.50'),
);

/** The reference: keys match when both are strings, numbers or booleans with the same text. */
function text(k: Key): string | undefined {
  return typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' ? String(k) : undefined;
}

function model(events: { id: Key; n: number }[], rows: { k: Key; v: number }[], mode: 'inner' | 'left', as: string | null): object[] {
  const out: object[] = [];
  for (const ev of events) {
    const rec: Record<string, unknown> = ev.id === undefined ? { n: ev.n } : { id: ev.id, n: ev.n };
    const matches = rows.filter((r) => text(r.k) !== undefined && text(r.k) === text(ev.id));
    for (const r of matches) {
      const row: Record<string, unknown> = r.k === undefined ? { v: r.v } : { k: r.k, v: r.v };
      out.push(as === null ? { ...row, ...rec } : { ...rec, [as]: row });
    }
    if (matches.length === 0 && mode === 'left') out.push(as === null ? rec : { ...rec, [as]: null });
  }
  return out;
}

const ndjson = (xs: object[]) => xs.map((x) => JSON.stringify(x) + '\n').join('');

describe('join FILE', () => {
  it('gives what the nested-loop model gives, for inner and left, merged and nested', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ id: keyArb, n: fc.nat(99) }), { maxLength: 12 }),
      fc.array(fc.record({ k: keyArb, v: fc.nat(99) }), { maxLength: 10 }),
      fc.constantFrom<'inner' | 'left'>('inner', 'left'),
      fc.constantFrom<string | null>(null, 'row'),
      async (events, rows, mode, as) => {
        const file = tableFile(rows.map((r) => (r.k === undefined ? { v: r.v } : { k: r.k, v: r.v })));
        const program = `join ${JSON.stringify(file)} on id = k${as === null ? '' : ` as ${as}`} ${mode}`;
        const input = ndjson(events.map((e) => (e.id === undefined ? { n: e.n } : { id: e.id, n: e.n })));
        const got = (await runText(program, input)).output.split('\n').filter(Boolean).map((l) => JSON.parse(l) as object);
        // merged: the record's fields first, then the row's fields it lacks; compared as objects, order apart
        expect(got).toEqual(model(events, rows, mode, as));
      },
    ), { numRuns: 150 });
  });

  it('reads the same from CSV as from NDJSON, numbers and their text matching', async () => {
    const csv = joinPath(dir, 'owners.csv');
    writeFileSync(csv, 'id,team\n1,a\n2,b\n007,c\n');
    const r = await runText(`join ${JSON.stringify(csv)} on id`, '{"id":"1"}\n{"id":2}\n{"id":"007"}\n{"id":7}\n');
    expect(r.output).toBe('{"id":"1","team":"a"}\n{"id":2,"team":"b"}\n{"id":"007","team":"c"}\n');
  });

  it('prints back to a program that parses to the same stage', () => {
    for (const text of ['join a.csv on id', 'join "my file.csv" on user.id = id as u left', 'join ../t-1.ndjson on lower(x) = k']) {
      const stage = parseProgram(text, grammar).stages[0]!;
      const printed = stageText(stage.op, stage.args);
      const again = parseProgram(printed, grammar).stages[0]!;
      expect(stageText(again.op, again.args)).toBe(printed);
      expect(again.args).toMatchObject({ file: (stage.args as { file: string }).file });
    }
  });

  it('stops with a LimitError naming the row when the table passes --join-buffer', () => {
    const file = tableFile(Array.from({ length: 100 }, (_, i) => ({ k: i, name: `row ${i}` })));
    expect(() => loadTable({ file, key: 'k' }, { infer: true, bufferBytes: 4096, warn: () => undefined })).toThrow(LimitError);
    expect(() => loadTable({ file, key: 'k' }, { infer: true, bufferBytes: 4096, warn: () => undefined })).toThrow(/at row \d+ \(line \d+\)/);
    expect(loadTable({ file, key: 'k' }, { infer: true, bufferBytes: 2 ** 20, warn: () => undefined }).size).toBe(100);
  });
});

describe('lookup(TABLE, key)', () => {
  it('gives null for a null, missing or unmatched key, without a type error', async () => {
    const file = tableFile([{ k: 1, v: 'one' }, { k: 1, v: 'again' }]);
    const r = await runText(`join ${JSON.stringify(file)} on id = k as t left | select lookup(t, id).v as a, lookup(t, nope) as b, lookup(t, 2) as c, lookup(t, "1").v as d`, '{"id":1}\n{"id":null}\n');
    // the join gives the record once per row of key 1; lookup() reads the first of them
    expect(r.output).toBe('{"a":"one","b":null,"c":null,"d":"one"}\n'.repeat(2) + '{"a":null,"b":null,"c":null,"d":"one"}\n');
    expect(r.stats.typeErrors).toBe(0);
  });
});

describe('join FILE with --state', () => {
  function build(program: string, warnings: string[]): StatefulStage {
    const { stages } = compileProgram(program, { infer: true, time: { out: 'iso' }, idleMs: null, idlePartitionMs: null }, new Stats(), {
      bad: () => undefined, late: () => undefined, assertFailed: () => undefined, warn: (m) => warnings.push(m),
    });
    return stages.find((s) => s.kind === 'stateful') as StatefulStage;
  }

  it('says on restart when the lookup table changed since the checkpoint', () => {
    const file = tableFile([{ k: 1, v: 'one' }]);
    const program = `join ${JSON.stringify(file)} on id = k`;
    const warnings: string[] = [];
    const saved = v8.deserialize(v8.serialize(build(program, warnings).snapshot()));
    build(program, warnings).restore(saved);
    expect(warnings).toEqual([]);
    writeFileSync(file, '{"k":1,"v":"uno"}\n');
    const again = build(program, warnings);
    again.restore(saved);
    expect(warnings).toEqual([`join ${file}: the table changed since the checkpoint; the records read from now on are joined with its rows as they are now`]);
    expect(again.push([makeEvent({ id: 1 }, undefined, { name: 'in' }, 1, 0)]).map((e) => e.value)).toEqual([{ id: 1, k: 1, v: 'uno' }]);
  });

  it('says on restart when the other side of an interval join changed, and refuses a file shorter than its position', () => {
    const file = tableFile([{ k: 1, t: 1000 }, { k: 1, t: 2000 }]);
    const program = `join ${JSON.stringify(file)} on id = k within 1s on t`;
    const warnings: string[] = [];
    const first = build(program, warnings);
    expect(first.push([makeEvent({ id: 1, t: 1000 }, undefined, { name: 'in' }, 1, 0)])).toHaveLength(1);
    const saved = v8.deserialize(v8.serialize(first.snapshot()));
    appendFileSync(file, '{"k":1,"t":3000}\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    build(program, warnings).restore(saved);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the file changed since the checkpoint; reading on at byte \d+/);
    writeFileSync(file, '');
    expect(() => build(program, warnings).restore(saved)).toThrow(/shorter .* than the position the state holds/);
  });
});
