// `sluice export flink-sql PROGRAM INPUT [--to SINK]`: print the program as a Flink SQL script over
// the same Kafka topic (src/plan/flink-sql.ts does the mapping). Options are few and parsed here,
// apart from the main command's, because an export reads no record and runs nothing.

import { UsageError } from '../errors/errors.js';
import { parseProgram } from '../lang/parser.js';
import { grammar } from '../operators/index.js';
import { isKafkaUri, parseKafkaUri, type KafkaAddress } from '../kafka/uri.js';
import { exportFlinkSql } from '../plan/flink-sql.js';
import { EXPORT_USAGE_LINE } from './export-help.js';
import { clientOptions } from '../kafka/options.js';
import type { Value } from '../core/event.js';

const EXPORT_USAGE = EXPORT_USAGE_LINE;

export async function exportCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [target, ...rest] = argv;
  if (target === undefined) throw new UsageError(`export needs a target: flink-sql; usage: ${EXPORT_USAGE}`);
  if (target !== 'flink-sql') throw new UsageError(`export: unknown target '${target}' (flink-sql); usage: ${EXPORT_USAGE}`);
  // node:util on first use: on Node 22 it loads worker_threads, which a plain run does without
  const { parseArgs } = await import('node:util');
  const parsed = (() => {
    try {
      return parseArgs({
        args: rest,
        allowPositionals: true,
        options: { to: { type: 'string' }, brokers: { type: 'string', short: 'b' }, group: { type: 'string' }, sample: { type: 'string' } },
      });
    } catch (e) {
      throw new UsageError(`export flink-sql: ${(e as Error).message}; usage: ${EXPORT_USAGE}`);
    }
  })();
  const [text, input, ...more] = parsed.positionals;
  if (text === undefined || input === undefined || more.length > 0) throw new UsageError(`export flink-sql takes one program and one Kafka input; usage: ${EXPORT_USAGE}`);
  const brokers = parsed.values.brokers ?? env.SLUICE_BROKERS;
  const topicOf = (uri: string, what: string): { brokers: string[]; topic: string } => {
    if (!isKafkaUri(uri)) throw new UsageError(`export flink-sql: ${what} must be a Kafka topic (kafka://HOST:PORT/TOPIC or kafka:TOPIC), not '${uri}'`);
    const a: KafkaAddress = parseKafkaUri(uri, brokers);
    if (a.topics.length !== 1) throw new UsageError(`export flink-sql: ${what} must be one topic, not ${a.topics.length}`);
    return { brokers: a.brokers, topic: a.topics[0]! };
  };
  const source = topicOf(input, 'the input');
  const sink = parsed.values.to === undefined ? null : topicOf(parsed.values.to, '--to');
  const program = parseProgram(text, grammar);
  const sampleText = parsed.values.sample;
  let sample: Value[] | undefined;
  if (sampleText !== undefined) {
    if (!/^[1-9][0-9]{0,5}$/.test(sampleText)) throw new UsageError(`export flink-sql: --sample takes a number of records from 1 to 999999, not '${sampleText}'`);
    // refuse what cannot be exported before reading anything
    exportFlinkSql(program, { source, sink, group: parsed.values.group, sampling: true });
    sample = await firstRecords(source, Number(sampleText));
  }
  return exportFlinkSql(program, { source, sink, group: parsed.values.group, sample });
}

/** The topic's first N records (from the beginning of each partition), decoded as sluice reads them. */
async function firstRecords(source: { brokers: string[]; topic: string }, n: number): Promise<Value[]> {
  const { kafkaInput } = await import('../kafka/source.js');
  const input = await kafkaInput({
    client: await clientOptions({ X: [], timeout: '10s' }, source.brokers),
    topics: [source.topic], offset: 'beginning', partitions: null, group: null, exitAtEnd: true, count: n,
    format: 'auto', infer: true, transactionalSink: null,
  });
  const out: Value[] = [];
  try {
    for await (const b of input.batches()) {
      for (const ev of b.events) if (out.length < n) out.push(ev.value);
      if (out.length >= n) break;
    }
  } finally {
    await input.close();
    await input.close();
  }
  return out;
}
