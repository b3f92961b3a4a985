// --explain: the plan as sluice will run it — each stage in canonical form and its kind —
// and, for a window, where the first records fall and when each of those windows fires.

import type { Program } from '../lang/ast.js';
import { findOperator, stageText } from '../operators/index.js';
import type { WindowArgs } from '../operators/window.js';
import { location, type Event } from '../core/event.js';
import { formatDuration } from '../time/duration.js';
import { formatIso } from '../time/format.js';
import { slidingStarts, tumblingStart } from '../time/windows.js';
import { SluiceError } from '../errors/errors.js';
import { isKafkaUri, parseKafkaUri } from '../kafka/uri.js';
import { exportFlinkSql } from '../plan/flink-sql.js';

/** The program as one canonical text: the same for both forms of the language and any spacing. */
export function canonicalProgram(program: Program): string {
  return program.stages.map((s) => stageText(s.op, s.args)).join(' | ');
}

export function explainPlan(program: Program): string {
  const rows = program.stages.map((s, i) => {
    const op = findOperator(s.op)!;
    const text = `${op.name} ${op.print(s.args)}`.trim();
    return `  ${i + 1}. ${text.padEnd(40)}  ${op.kind}`;
  });
  return `program: ${canonicalProgram(program)}\nplan (records flow top to bottom, in batches):\n  0. read inputs, decode to records\n${rows.join('\n')}\n  ${rows.length + 1}. encode and write\n`;
}

export function windowArgs(program: Program): WindowArgs | null {
  const node = program.stages.find((s) => s.op === 'window');
  return node ? (node.args as WindowArgs) : null;
}

/** Where the first records fall: `times[i]` is the event time of `events[i]` (null: unreadable). */
export function explainWindows(w: WindowArgs, events: Event[], times: (number | null)[]): string {
  const allow = w.allow?.ms ?? 0;
  let out = `\nwindow: ${findOperator('window')!.print(w)}\n`;
  if (w.kind === 'count') {
    out += `  a window per key every ${w.n} records${w.every !== null ? ` (the last ${w.n}, every ${w.every})` : ''}; no watermark: count windows do not use time\n`;
    return out;
  }
  out += `  watermark = the largest event time seen${allow ? ` − ${formatDuration(allow)}` : ''}; a window fires when the watermark reaches its end\n`;
  out += `  per input partition (a file, a Kafka partition): the watermark is the lowest over the active ones and never goes back;\n`;
  out += `  a partition that ended, was revoked or is idle (--idle-partition) leaves the minimum\n`;
  out += `first records:\n`;
  const size = w.size!.ms;
  events.forEach((ev, i) => {
    const t = times[i];
    if (t === null || t === undefined) {
      out += `  ${location(ev)}  no readable time: bad input\n`;
      return;
    }
    const starts = w.kind === 'tumbling' ? [tumblingStart(t, size)] : w.kind === 'sliding' ? slidingStarts(t, size, w.slide!.ms) : [t];
    out += `  ${location(ev)}  time ${formatIso(t)}\n`;
    for (const s of starts) {
      const end = s + size;
      const what = w.kind === 'session' ? `session [${formatIso(s)}, ${formatIso(end)}) for now (grows while records of its key come < ${w.size!.text} apart)` : `window [${formatIso(s)}, ${formatIso(end)})`;
      out += `      ${what}: fires when an event time ≥ ${formatIso(end + allow)} has been seen\n`;
    }
  });
  return out;
}

/**
 * --explain over one Kafka topic: the program as Flink SQL too (what `sluice export flink-sql`
 * prints), or why it has none. Other inputs have no Flink source table: nothing is added.
 */
export function explainFlink(program: Program, inputs: string[], to: string | undefined, brokers: string | undefined): string {
  if (inputs.length !== 1 || !isKafkaUri(inputs[0]!)) return '';
  try {
    const src = parseKafkaUri(inputs[0]!, brokers);
    if (src.topics.length !== 1) return '';
    const sink = to !== undefined && isKafkaUri(to) ? parseKafkaUri(to, brokers) : null;
    const sql = exportFlinkSql(program, {
      source: { brokers: src.brokers, topic: src.topics[0]! },
      sink: sink && sink.topics.length === 1 ? { brokers: sink.brokers, topic: sink.topics[0]! } : null,
    });
    return `\nthe same program on Flink (sluice export flink-sql; sluice help export for the differences):\n${sql}`;
  } catch (e) {
    if (!(e instanceof SluiceError)) throw e;
    return `\nthe same program on Flink: none: ${e.message.replace(/^export flink-sql: /, '')}\n`;
  }
}
