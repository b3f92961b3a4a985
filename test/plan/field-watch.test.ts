// The misspelt-field warning: which fields count as read, and when the watch speaks.

import { describe, expect, it } from 'vitest';
import { makeEvent, type Value } from '../../src/core/event.js';
import { parseProgram } from '../../src/lang/parser.js';
import { grammar } from '../../src/operators/index.js';
import { fieldWatch, inputFieldsRead, WATCHED_RECORDS } from '../../src/plan/field-watch.js';

const read = (text: string, vars: string[] = []) => inputFieldsRead(parseProgram(text, grammar), new Set(vars)).sort();
const batch = (values: Value[]) => values.map((v, i) => makeEvent(v, undefined, { kind: 'stdin', name: '-' } as never, i + 1, 0));

describe('fields a program reads from its input', () => {
  it('through the stages that keep records as they are, up to and including the first that reshapes them', () => {
    expect(read('where status >= 500 | head 3 | count() by service | where count > 1')).toEqual(['service', 'status']);
    expect(read('window tumbling 1m on ts | p95(latency) by svc')).toEqual(['latency', 'svc', 'ts']);
    expect(read('select req.host, tags[0] as t | where host == "x"')).toEqual(['req', 'tags']);
  });
  it('not the fields a stage writes, nor $NAME given by --arg', () => {
    expect(read('set z = a + 1, y.w = b')).toEqual(['a', 'b']);
    expect(read('rename old as new')).toEqual(['old']);
    expect(read('where k == $k and $other', ['k'])).toEqual(['$other', 'k']);
  });
});

describe('the watch', () => {
  const run = (fields: string[], records: Value[][], copies = 1): string[] => {
    const said: string[] = [];
    const w = fieldWatch(fields, (m) => said.push(m));
    const stages = Array.from({ length: copies }, () => w.stage());
    records.forEach((r, i) => stages[i % copies]!.push(batch(r)));
    for (const s of stages) s.end();
    return said;
  };

  it('names a field never seen when a close one was, once, at the end of a short input', () => {
    expect(run(['statuss', 'service'], [[{ status: 1, service: 'a' }], [{ status: 2 }]])).toEqual([
      "field 'statuss' never seen in the first 2 records; did you mean 'status'?",
    ]);
  });
  it('after the first records on a long input, and once across the copies of a per-partition run', () => {
    const many = Array.from({ length: WATCHED_RECORDS + 500 }, () => ({ status: 1 }));
    const said = run(['statsu'], [many.slice(0, 700), many.slice(700)], 2);
    expect(said).toEqual([`field 'statsu' never seen in the first ${WATCHED_RECORDS} records; did you mean 'status'?`]);
  });
  it('stays quiet for a rare field with no close name, a short name, or a field that shows up', () => {
    expect(run(['error'], [[{ status: 1 }]])).toEqual([]);
    expect(run(['x'], [[{ y: 1 }]])).toEqual([]);
    expect(run(['statuz'], [[{ status: 1 }], [{ statuz: 1 }]])).toEqual([]);
    expect(run(['statuz'], [])).toEqual([]);
  });
  it('a restored watch that had finished does not speak again', () => {
    const said: string[] = [];
    const w = fieldWatch(['statuss'], (m) => said.push(m));
    const a = w.stage();
    a.push(batch([{ status: 1 }]));
    a.end();
    const b = fieldWatch(['statuss'], (m) => said.push(m)).stage();
    b.restore(a.snapshot());
    b.push(batch([{ status: 1 }]));
    b.end();
    expect(said).toHaveLength(1);
  });
});
