// The Flink SQL exporter's internals: every stage and aggregate either maps or is refused by name
// (exit 2, never an internal error), interval literals keep their duration, and --sample types.
// That the scripts run on Flink with sluice's results is test/kafka/flink.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateList } from '../../src/aggregates/index.js';
import { UsageError } from '../../src/errors/errors.js';
import { parseProgram } from '../../src/lang/parser.js';
import { grammar, operatorList } from '../../src/operators/index.js';
import type { JoinArgs } from '../../src/operators/join.js';
import { exportFlinkSql, FLINK_AGGREGATES, flinkInterval } from '../../src/plan/flink-sql.js';

const KAFKA = { brokers: ['127.0.0.1:9092'], topic: 'events' };
const exportText = (text: string, sample?: unknown[]) =>
  exportFlinkSql(parseProgram(text, grammar), { source: KAFKA, sink: { brokers: KAFKA.brokers, topic: 'out' }, sample: sample as never });

/** the refusal's message, or null when the program exported */
function refusal(text: string): string | null {
  try {
    expect(exportText(text)).toMatch(/INSERT INTO out_sink\n/);
    return null;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^export flink-sql: /);
    return e.message;
  }
}

/** `INTERVAL '…' UNIT` back to milliseconds */
function intervalMs(sql: string): number {
  const one = /^INTERVAL '([0-9.]+)' (DAY|HOUR|MINUTE|SECOND)$/.exec(sql);
  if (one) return Math.round(Number(one[1]) * { DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000 }[one[2] as 'DAY']);
  const m = /^INTERVAL '(\d+) (\d\d):(\d\d):(\d\d)\.(\d\d\d)' DAY TO SECOND\(3\)$/.exec(sql);
  if (!m) throw new Error(`not an interval literal: ${sql}`);
  const [d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number];
  return (((d * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms;
}

describe('export flink-sql', () => {
  it('every stage example either exports or is refused naming a stage, aggregate or function', () => {
    const mapped = new Set(['where', 'select', 'set', 'drop', 'rename', 'dedupe', 'top', 'window', 'aggregate', 'join']);
    for (const op of operatorList) {
      for (const ex of op.examples) {
        const why = refusal(ex.program);
        if (why !== null) expect(why, ex.program).toMatch(/the stage '|the aggregate '|the function '|must be a field name|a condition must compare|no Flink|nested field paths/);
        if (!mapped.has(op.name)) expect(why, `${op.name} has no mapping: ${ex.program}`).toContain(`the stage '${op.name}'`);
      }
    }
  });

  it('every aggregate maps to its Flink function or is refused by name', () => {
    for (const a of aggregateList) {
      const call = a.minArgs === 0 ? `${a.name}()` : a.name === 'percentile' ? 'percentile(ms, 90)' : `${a.name}(ms)`;
      const why = refusal(`window tumbling 1m on ts | ${call} by svc`);
      if (a.name in FLINK_AGGREGATES) expect(why, call).toBeNull();
      else expect(why, call).toContain(`the aggregate '${a.name}'`);
    }
    expect(exportText('window tumbling 1m on ts | percentile(ms, 99.9) by svc')).toContain('PERCENTILE(`ms`, 0.999) AS `p99_9_ms`');
  });

  it('a stage after an aggregate without a window is refused: Flink updates its result', () => {
    expect(refusal('count() by svc | where count > 1')).toContain("the stage 'where'");
  });

  it('interval literals hold the same duration, in one unit when it reads as one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 * 86_400_000 }), (ms) => {
      expect(intervalMs(flinkInterval(ms))).toBe(ms);
    }));
    expect(flinkInterval(60_000)).toBe("INTERVAL '1' MINUTE");
    expect(flinkInterval(5001)).toBe("INTERVAL '5.001' SECOND");
    expect(flinkInterval(120_001)).toBe("INTERVAL '0 00:02:00.001' DAY TO SECOND(3)");
  });

  it('the watermark is the allowed lateness plus 1 ms, so that Flink fires where sluice does', () => {
    expect(exportText('window tumbling 1m on ts | count()')).toContain("WATERMARK FOR sluice_rowtime AS sluice_rowtime - INTERVAL '0.001' SECOND");
    expect(exportText('window tumbling 1m on ts allow 30s | count()')).toContain("WATERMARK FOR sluice_rowtime AS sluice_rowtime - INTERVAL '30.001' SECOND");
  });

  it('--sample declares every sampled field with its type; epoch event times by magnitude', () => {
    const sql = exportText('window tumbling 1m on t | count() by svc', [{ t: 1714564800123, svc: 'a', ok: true, n: 1.5 }, { t: 1714564801123, svc: 'b', tags: ['x'] }]);
    expect(sql).toContain('`t` BIGINT,\n  `svc` STRING,\n  `ok` BOOLEAN,\n  `n` DOUBLE,\n  sluice_rowtime AS TO_TIMESTAMP_LTZ(`t`, 3)');
    expect(sql).not.toContain('tags');
    expect(exportText('window tumbling 1m on t | count()', [{ t: 1714564800 }])).toContain('TO_TIMESTAMP_LTZ(`t`, 0)');
    expect(() => exportText('window tumbling 1m on t | count()', [{ t: 1714564800123456 }])).toThrow(/µs or ns/);
    // a field seen as a number and as a string is a STRING
    expect(exportText('select a', [{ a: 1 }, { a: 'x' }])).toContain('`a` STRING');
  });

  it('a join mode or other side it does not know (right, outer, a Kafka topic) is refused by name, not exported as inner', () => {
    const withArgs = (text: string, change: Partial<Record<keyof JoinArgs, unknown>>) => {
      const program = parseProgram(text, grammar);
      Object.assign(program.stages[0]!.args as JoinArgs, change);
      try {
        exportFlinkSql(program, { source: KAFKA, sink: null });
        return null;
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        return e.message;
      }
    };
    expect(withArgs('join fixtures/owners.csv on service', {})).toBeNull();
    for (const mode of ['right', 'outer']) {
      expect(withArgs('join fixtures/payments.ndjson on order_id within 10m on ts as p', { mode })).toContain(`'${mode}': Flink writes a row of FILE without a match with the input's columns null`);
    }
    for (const mode of ['full', 'anti']) {
      expect(withArgs('join fixtures/owners.csv on service', { mode })).toContain(`the join mode '${mode}' has no Flink SQL mapping yet`);
      expect(withArgs('join fixtures/payments.ndjson on order_id within 10m on ts as p', { mode })).toContain(`the join mode '${mode}'`);
    }
    expect(withArgs('join fixtures/payments.ndjson on order_id within 10m on ts as p', { file: 'kafka://127.0.0.1:9092/payments' })).toContain('the other side is a Kafka topic');
  });

  it('a join compares key text on both sides: a numeric key as sluice writes it, a CSV key as its cell', () => {
    const nd = exportText('join fixtures/payments.ndjson on order_id within 10m on ts as p', [{ order_id: 1, ts: '2024-05-01T12:00:00Z' }]);
    const numberText = (x: string) => `CASE WHEN ${x} = FLOOR(${x}) AND ABS(${x}) < 1E15 THEN CAST(CAST(${x} AS BIGINT) AS STRING) ELSE CAST(${x} AS STRING) END`;
    expect(nd).toContain(`sluice_key AS ${numberText('`order_id`')}`);
    expect(nd).toContain(`SELECT \`order_id\`, \`ts\`, ${numberText('`order_id`')} AS sluice_key, sluice_rowtime FROM out_source`);
    expect(nd).toContain("r.sluice_rowtime BETWEEN l.sluice_rowtime - INTERVAL '10' MINUTE AND l.sluice_rowtime + INTERVAL '10' MINUTE");
    // the table's columns come from the table, also when a later stage names them
    const renamed = exportText('join fixtures/owners.csv on service | rename team as owner_team');
    expect(renamed).toContain('CREATE TABLE out_source (\n  `service` STRING\n)');
    expect(renamed).toContain('SELECT l.`service`, r.`team`, r.`oncall`');
    // a field the record has (the sample shows it) wins over the row's, with its own type
    const clash = exportText('join fixtures/owners.csv on svc = service', [{ svc: 'api', team: 5 }]);
    expect(clash).toContain('SELECT l.`svc`, l.`team`, r.`service`, r.`oncall`');
    expect(clash).toMatch(/CREATE TABLE out_sink \(\n {2}`svc` STRING,\n {2}`team` DOUBLE,/);
    const csv = exportText('join fixtures/owners.csv on service');
    expect(csv).toContain('`service` AS sluice_key FROM out_table1_file');
    expect(csv).toContain("WHERE NOT (`service` = 'service' AND `team` = 'team' AND `oncall` = 'oncall')");
  });

  it('an interval join needs one time type on both sides, and the event time of the input', () => {
    expect(refusal('window tumbling 1m on ts | count() by order_id | join fixtures/payments.ndjson on order_id within 10m on ts as p'))
      .toContain('must come before windows');
    expect(() => exportText('join fixtures/payments.ndjson on order_id within 10m on ts as p', [{ order_id: 1, ts: 1714564800123 }]))
      .toThrow(/the input's time is an epoch number and fixtures\/payments.ndjson's a text stamp/);
    expect(() => exportText('join fixtures/payments.ndjson on order_id within 10m on ts as p', [{ order_id: 1, ts: '2024-05-01T12:00:00Z' }])).not.toThrow();
  });
});
