// The input projection: which top-level fields a program needs from each input record, and when it
// needs whole records (null).

import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../src/lang/parser.js';
import { grammar } from '../../src/operators/index.js';
import { inputProjection, type ProjectionContext } from '../../src/plan/projection.js';

const base: ProjectionContext = { vars: new Set(), rawOutput: true, wholeRecords: false };
const fields = (text: string, ctx: Partial<ProjectionContext> = {}) => {
  const f = inputProjection(parseProgram(text, grammar), { ...base, ...ctx });
  return f === null ? null : [...f].sort();
};

describe('inputProjection', () => {
  it('the fields read by filters, windows and aggregates', () => {
    expect(fields('where status >= 500')).toEqual(['status']);
    expect(fields('count() by service')).toEqual(['service']);
    expect(fields('p95(latency_ms) by path')).toEqual(['latency_ms', 'path']);
    expect(fields('window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service')).toEqual(['epoch_ms', 'latency_ms', 'service']);
    expect(fields('where a > 1 and b.c == "x" or d[0] == 1 | sort e desc | top 3 by f | head 2 | tail 1 | sample 50%')).toEqual(['a', 'b', 'd', 'e', 'f']);
    expect(fields('dedupe user within 1m on ts | assert x > 0 else "neg"')).toEqual(['ts', 'user', 'x']);
    expect(fields('where len(items) > 0 and exists(map(items, x => x.price * rate))')).toEqual(['items', 'rate']);
  });
  it('stops at the first stage that builds new records: later stages read its output', () => {
    expect(fields('where status >= 500 | select ts, service as s | set z = 1 | drop ts')).toEqual(['service', 'status', 'ts']);
    expect(fields('count() by service | where count > 10 | set x = 1')).toEqual(['service']);
  });
  it('@metadata and --arg values are not fields; no field at all is []', () => {
    expect(fields('where @line > 2 and k == $k', { vars: new Set(['k']) })).toEqual(['k']);
    expect(fields('head 5')).toEqual([]);
    expect(fields('count()')).toEqual([]);
  });
  it('null for stages that change or quote input records', () => {
    for (const p of [
      'set x = 1', 'drop a', 'rename a as b', 'map {a: a}', 'parse json from line', 'flatten', 'unnest tags',
      'where a > 1 | set b = 2', 'dedupe', 'tee out.ndjson', 'running running_sum(x)',
    ]) expect(fields(p), p).toBeNull();
  });
  it('null when the whole record is read (`this`)', () => {
    expect(fields('where len(tojson(this)) > 10')).toBeNull();
    expect(fields('select this as r')).toBeNull();
    expect(fields('collect(this) by service')).toBeNull();
  });
  it('null when input records reach an output written from values, or something else looks at them', () => {
    expect(fields('where status >= 500', { rawOutput: false })).toBeNull();
    expect(fields('head 1', { rawOutput: false })).toBeNull();
    // new records are written from values anyway
    expect(fields('count() by service', { rawOutput: false })).toEqual(['service']);
    expect(fields('where a > 1 | select a', { rawOutput: false })).toEqual(['a']);
    expect(fields('count() by service', { wholeRecords: true })).toBeNull();
  });
  it('null for a field named __proto__, which no plain object can hold as its own', () => {
    expect(fields('where `__proto__` == 1')).toBeNull();
  });
});
