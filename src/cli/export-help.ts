// `sluice help export` and the manual's EXPORT TO FLINK SQL section: what maps to what
// (FLINK_MAPPING, next to the exporter) and the rules where Flink answers differently. The Flink
// comparison test (test/kafka/flink.test.ts) checks them on a real Flink.

import { FLINK_MAPPING } from '../plan/flink-sql.js';

export const EXPORT_USAGE_LINE = 'sluice export flink-sql PROGRAM kafka://HOST:PORT/TOPIC [--to kafka://HOST:PORT/TOPIC] [--sample N] [-b BROKERS] [--group ID]';

export const EXPORT_RULES: [string, string][] = [
  ['What it writes', 'A complete Flink SQL script: SET the session time zone to UTC; CREATE TABLE for the Kafka source (JSON, from the earliest offset to the offsets at start: a bounded job, like -e) and for the sink (kafka, upsert-kafka for results Flink updates, or print without --to); a view per stage; one INSERT. It runs unmodified in the Flink SQL client or with TableEnvironment.executeSql (Flink 2.2 and the Kafka connector 5.0).'],
  ['Refused', 'A stage, aggregate, function or operator with no faithful Flink equivalent is an error (exit 2) that names it and points at it: head, tail, sample, sort, assert, parse, map, count windows, emit every/changes, dedupe within, top(x, k), rate(), first/last in a session window, the left mode of a lookup join, a window or dedupe after a join, nested paths, @metadata, lookup(), and every function not in the table below. Nothing is approximated silently.'],
  ['Columns and types', 'The source declares the top-level fields the program reads: a field used as a number is DOUBLE, a field used alone as a condition BOOLEAN, any other STRING. With --sample N the topic\'s first N records are read and every field in them is declared with the type of its values (numbers DOUBLE, strings STRING, booleans BOOLEAN), so that whole records pass through as with sluice. Numbers are DOUBLE in Flink: a 3 is written 3.0, the same number.'],
  ['Event time', '`on FIELD` becomes a computed rowtime column: an ISO-8601 UTC stamp (…Z or no zone) with TO_TIMESTAMP, or, when --sample shows epoch numbers, TO_TIMESTAMP_LTZ(FIELD, 0 or 3) for seconds or milliseconds by magnitude. Stamps with other zones, µs/ns epochs, nginx/syslog stamps and --time-format have no mapping: sluice reads them, the Flink script would not.'],
  ['Watermark', 'WATERMARK FOR rowtime AS rowtime − (allow + 1 ms), emitted on every event (\'scan.watermark.emit.strategy\' = \'on-event\'). Flink fires a window when the watermark reaches end − 1 ms, sluice when it reaches end: the 1 ms makes both fire at the same record and drop the same late records. The watermark is per Kafka partition (split) and the minimum over them, as in sluice; at the end of the bounded source every window fires.'],
  ['Windows', 'window_start and window_end are written as sluice writes them (ISO-8601 UTC with milliseconds, through DATE_FORMAT). Tumbling, sliding (HOP) and session windows (SESSION, PARTITION BY the keys) hold the same records.'],
  ['Order', 'Within one watermark step, Flink writes the windows\' results in its own key order, sluice in the order keys appeared: the same records in another order.'],
  ['Updates', 'An aggregate without a window, and top N, are updated by Flink at every record: they go to an upsert-kafka topic keyed by the by-keys (by rank for top N, which adds a rank field). The last value per key is sluice\'s result at the end of the input.'],
  ['Joins', "A join's FILE becomes a Flink filesystem table at its absolute path: CSV (format csv; Flink has no header option, so the columns are read as text, the header row is filtered out by its text, and with it a data row that repeats the header, and a view casts them; under an interval join the header row's time reads as the epoch, which moves no watermark) or NDJSON (format json). The export reads FILE as sluice does (the whole of a lookup table, the first MiB of an interval join's stream) and declares each column with the type of its values; a column holding two types or nested values, or missing from some rows, is refused (Flink would write other values, or null where sluice writes nothing), and so are TSV and JSON-document files. Keys compare as text on both sides, as in sluice: a number key through its integer or decimal text (1.0 and 1 are both '1'; very large or small numbers in exponent form may differ). A lookup join is a regular INNER JOIN (append-only for a stream and a table; Flink keeps every record in its state, which the bounded script ends, and a job kept running would need 'table.exec.state.ttl'); its left mode is refused, because Flink's LEFT JOIN retracts the unmatched rows it wrote once the table's row arrives. An interval join is Flink's: both sides have a watermark (lateness 0, plus the 1 ms of windows) and one time type (ISO-8601 text, or epoch numbers, on both); with left and as NAME the unmatched record gets NAME null, as in sluice; left without as NAME is refused (Flink would add the row's columns as null). A record field that clashes with a row field keeps the record's value; Flink cannot tell a missing field from null there. The join modes right and outer are refused (Flink writes the input's columns as null beside an unmatched row, sluice the row alone), and so is a Kafka topic as the other side."],
  ['Bad input', 'The script sets \'json.ignore-parse-errors\' = \'true\': a message that is not JSON is skipped by Flink without a count, where sluice reports it (--on-error, --stats).'],
];

export function exportHelpText(): string {
  const w = Math.max(...FLINK_MAPPING.map((r) => r[0].length));
  return `Export to Flink SQL\n\n  ${EXPORT_USAGE_LINE}\n\n` +
    EXPORT_RULES.map(([t, b]) => `${t}\n${wrapText(b, '  ')}`).join('\n') +
    '\nWhat maps (sluice → Flink SQL: difference)\n' +
    FLINK_MAPPING.map(([a, b, c]) => `  ${a.padEnd(w)}  ${b}${c === 'same' ? '' : `\n  ${''.padEnd(w)}  (${c})`}`).join('\n') + '\n';
}

function wrapText(text: string, pad: string, width = 78): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (pad + line + ' ' + word).length > width) { out.push(pad + line); line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(pad + line);
  return out.join('\n') + '\n';
}
