import type { Expr, Program } from '../lang/ast.js';
import type { TableResolver } from '../lang/function-types.js';
import { printExpr, printName, printString } from '../lang/print.js';
import type { StageParser } from '../lang/parser.js';
import { tokenize } from '../lang/lexer.js';
import { isRecord, withValue, type Batch, type Rec, type Value } from '../core/event.js';
import { DEFAULT_JOIN_BUFFER, firstRow, keyText, loadTable, type LookupTable } from './join-table.js';
import { intervalJoin } from './interval-join.js';
import { defineOperator, type BuildContext } from './types.js';

export interface JoinArgs {
  file: string;
  /** the key of the record (an expression) */
  key: Expr;
  /** the table's key field */
  tableKey: string;
  /** nest the row under this name (and name the table for lookup()); null merges its fields */
  as: string | null;
  /** right and outer (full): only with within */
  mode: 'inner' | 'left' | 'right' | 'outer';
  /** an interval join: FILE is the other stream, matched within this many ms of event time */
  within: { ms: number; text: string } | null;
  /** with within: the record's event time, and the FILE rows' time field */
  ts: Expr | null;
  tableTs: string | null;
}

/** A file name: a quoted string, or the program text up to the next space. */
function fileName(p: StageParser): string {
  const t = p.peek();
  if (t.kind === 'string') return p.next().text;
  if (p.atStageEnd()) p.fail('expected the file of the lookup table after join', t.span);
  const start = t.span.start;
  const m = /[\s|]/.exec(p.text.slice(start));
  const end = m === null ? p.text.length : start + m.index;
  while (!p.atStageEnd() && p.peek().span.start < end) {
    if (p.peek().span.end > end) p.fail('a file name with quotes or spaces is written as a string: join "my file.csv" on id', p.peek().span);
    p.next();
  }
  return p.text.slice(start, end);
}

const PLAIN_FILE = /^[A-Za-z0-9_./+-]+$/;

/** A file name that reads back as itself unquoted: plain characters the lexer takes without a string or a regex. */
function plainFile(file: string): boolean {
  if (!PLAIN_FILE.test(file)) return false;
  try {
    return tokenize(file).every((t) => t.kind !== 'string' && t.kind !== 'regex');
  } catch {
    return false;
  }
}

const tables = new WeakMap<JoinArgs, LookupTable>();

/** The stage's table: loaded once per program (every copy of the stages and lookup() share it). */
function tableOf(args: JoinArgs, ctx: BuildContext): LookupTable {
  let t = tables.get(args);
  if (t === undefined) {
    t = loadTable({ file: args.file, key: args.tableKey }, { infer: ctx.infer, bufferBytes: ctx.joinBufferBytes ?? DEFAULT_JOIN_BUFFER, warn: ctx.warn });
    tables.set(args, t);
  }
  return t;
}

/**
 * The tables a program names (`join FILE … as NAME`), for lookup(): loaded when an expression first
 * asks for one. `ctx` is read late: the compiler is made before the build context that holds it.
 */
export function programTables(program: Program, ctx: () => BuildContext): TableResolver {
  const named = new Map<string, JoinArgs>();
  for (const s of program.stages) {
    const a = s.args as JoinArgs;
    if (s.op === 'join' && a.within === null && a.as !== null && !named.has(a.as)) named.set(a.as, a);
  }
  return {
    get(name) {
      const args = named.get(name);
      if (args === undefined) return undefined;
      const t = tableOf(args, ctx());
      return { lookup: (k) => firstRow(t, k) };
    },
    names: () => named.keys(),
  };
}

function put(o: Rec, k: string, v: Value): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** The record with the row's fields that it lacks (the record wins). */
function merged(rec: Rec, row: Rec): Rec {
  const o: Rec = {};
  for (const k of Object.keys(rec)) put(o, k, rec[k]!);
  for (const k of Object.keys(row)) if (!Object.hasOwn(rec, k)) put(o, k, row[k]!);
  return o;
}

function nested(rec: Rec, name: string, row: Value): Rec {
  const o: Rec = {};
  for (const k of Object.keys(rec)) if (k !== name) put(o, k, rec[k]!);
  put(o, name, row);
  return o;
}

export const join = defineOperator<JoinArgs>({
  name: 'join',
  aliases: [],
  kind: 'stateful',
  summary: 'enrich records with the matching rows of a lookup table, or of another stream within a time bound',
  usage: 'join FILE on KEY [= FIELD] [within DURATION on TS [= FIELD]] [as NAME] [inner|left|right|outer]',
  description:
    'Reads FILE once, before the first record, into a hash table keyed by its FIELD column (FIELD defaults to KEY, which must then be a field name), ' +
    'with the decoders inputs use; its format comes from its extension (.csv .tsv .ndjson .jsonl .json), else from its first bytes. ' +
    'Each record is matched on the value of KEY. Keys compare as text, as in Miller: 1 and "1" match, 1 and "1.0" do not; ' +
    'a null, missing, array or object key never matches. Without `as` the row\'s fields are added to the record, the record\'s own fields winning; ' +
    'with `as NAME` the row is nested under NAME (null when a left join finds none), and lookup(NAME, key) reads the table in any expression of the program. ' +
    'A key that the table holds several times gives one record per row, in table order, as SQL and Miller do. ' +
    '`inner` (the default) drops records without a match; `left` passes them unchanged. ' +
    'A bad line in the table stops the run (exit 65, with its file:line); a table larger than --join-buffer (default 256M, estimated) stops it with exit 75. ' +
    'The table is read afresh at each start: with --state, a checkpoint keeps a hash of it, and a restart with a changed table says so on stderr and joins the records read from then on with the new rows. ' +
    'With `within DURATION on TS [= FIELD]` it is an interval join of two streams in event time (as Flink\'s): FILE is read as the input\'s event time advances, not held whole, and only as far as it needs, ' +
    'and a record matches each row of FILE with the same key whose FIELD time is at most DURATION before or after the record\'s TS. ' +
    'Before a record at time T is joined, FILE is read until its watermark passes T + DURATION (or it ends), so its pairs are written at once, and under `left` the record itself when it has none. ' +
    'An interval join also takes `right` and `outer` (a full outer join): a row of FILE that no record matched is written once the input\'s watermark passes its time + DURATION, when no record to come can match it, ' +
    'and at the end of the input, when the rest of FILE is read for them (a row without a key, or too old for any record to come, at once). ' +
    'An unmatched row has the other side\'s fields absent (they read as null, as SQL\'s NULLs): under `left` and `outer` a record without a match is written as it is (with `as NAME`: NAME is null), ' +
    'under `right` and `outer` a row without a match is written as its own fields (with `as NAME`: a record holding only NAME, the row). ' +
    'FILE\'s watermark is the latest time it has given; the input\'s is kept per input partition (each Kafka partition, each file) and is the minimum over the active ones, as a window\'s. ' +
    'A record or row older than its side\'s watermark is late (counted and dropped, or --late dead-letter): FILE is read in event-time order, and so is each input partition. ' +
    'A row of FILE is kept until the input\'s watermark passes its time + DURATION: that and FILE\'s position are the state, checkpointed with --state. ' +
    'The other side may be a Kafka topic, `kafka://HOST:PORT/TOPIC` (or `kafka:TOPIC` with --brokers): it is read from its beginning by position, without a consumer group, with values decoded as -I auto does, ' +
    'and before each batch of the input is joined the topic is read until its watermark (the minimum over its partitions of the latest time each gave) passes the batch\'s latest time + DURATION. ' +
    'Under -e the topic is read to the end offsets it had at start; without -e it is live, and a partition without new rows holds the input back, as it would hold a window. ' +
    'Its offsets are in the checkpoint, so a restart with --state reads both sides on from where they were. ' +
    'With --state the state outlives the end of the input: a later run over what was appended to it reads the other side on from where the last run left it, and a row written unmatched at the end is not written again. ' +
    'A row of FILE that cannot be read is bad input (--on-error), with its file:line.',
  examples: [
    {
      program: 'join fixtures/owners.csv on service',
      input: '{"service":"api","status":500}\n{"service":"nope","status":502}\n',
      output: '{"service":"api","status":500,"team":"payments","oncall":"ann"}\n',
    },
    {
      program: 'join fixtures/tiers.ndjson on id = user as account left',
      input: '{"id":1}\n{"id":9}\n{"id":3}\n',
      output: '{"id":1,"account":{"user":1,"tier":"gold"}}\n{"id":9,"account":null}\n{"id":3,"account":{"user":"3","tier":"bronze"}}\n',
    },
    {
      program: 'join fixtures/owners.csv on service as owners left | where lookup(owners, "web").oncall == "bo" | select service, owners.team as team',
      input: '{"service":"search"}\n',
      output: '{"service":"search","team":"discovery"}\n',
    },
    {
      program: 'join fixtures/payments.ndjson on order_id within 10m on ts as payment left',
      input: '{"order_id":1,"ts":"2024-05-01T12:00:00Z"}\n{"order_id":2,"ts":"2024-05-01T12:01:00Z"}\n',
      output: '{"order_id":1,"ts":"2024-05-01T12:00:00Z","payment":{"order_id":1,"ts":"2024-05-01T12:04:00Z","method":"card"}}\n' +
        '{"order_id":2,"ts":"2024-05-01T12:01:00Z","payment":null}\n',
    },
    {
      program: 'join fixtures/payments.ndjson on order_id within 10m on ts as payment outer',
      input: '{"order_id":1,"ts":"2024-05-01T12:00:00Z"}\n{"order_id":3,"ts":"2024-05-01T12:01:00Z"}\n',
      output: '{"order_id":1,"ts":"2024-05-01T12:00:00Z","payment":{"order_id":1,"ts":"2024-05-01T12:04:00Z","method":"card"}}\n' +
        '{"order_id":3,"ts":"2024-05-01T12:01:00Z","payment":null}\n{"payment":{"order_id":2,"ts":"2024-05-01T12:30:00Z","method":"cash"}}\n',
    },
  ],
  parse(p) {
    const file = fileName(p);
    p.expectKeyword('on', "'on KEY' after the file of the lookup table");
    const key = p.expr();
    const tableKey = p.accept('=') ? p.name("the table's key field after '='").name
      : key.kind === 'name' ? key.name
      : p.fail("the table's key field cannot be read from this key: name it with `= FIELD`, as in `on user.id = id`", key.span);
    let within: JoinArgs['within'] = null;
    let ts: Expr | null = null;
    let tableTs: string | null = null;
    if (p.isKeyword('within')) {
      const at = p.next().span;
      const d = p.duration('a duration after within, such as 10m');
      within = { ms: d.ms, text: d.text };
      if (!p.acceptKeyword('on')) p.fail('an interval join reads event time: `within DURATION on TS [= FIELD]`', { start: at.start, end: d.span.end });
      ts = p.expr();
      tableTs = p.accept('=') ? p.name("the other side's time field after '='").name
        : ts.kind === 'name' ? ts.name
        : p.fail("the other side's time field cannot be read from this expression: name it with `= FIELD`", ts.span);
    }
    if (within === null && file.startsWith('kafka:')) p.fail('a topic is a stream, not a lookup table: join it in event time, `join kafka://HOST:PORT/TOPIC on KEY within DURATION on TS`', p.peek().span);
    const as = p.acceptKeyword('as') ? p.name('a name after `as`').name : null;
    const mode = (['left', 'right', 'outer', 'inner'] as const).find((m) => p.isKeyword(m)) ?? 'inner';
    const at = p.peek().span;
    if (p.isKeyword(mode)) p.next();
    if ((mode === 'right' || mode === 'outer') && within === null) {
      p.fail(`a lookup join is inner or left; \`${mode}\` needs two streams: \`join FILE on KEY within DURATION on TS ${mode}\``, at);
    }
    return { file, key, tableKey, as, mode, within, ts, tableTs };
  },
  print: (a) => [
    plainFile(a.file) ? a.file : printString(a.file),
    'on', printExpr(a.key),
    ...(a.key.kind === 'name' && a.key.name === a.tableKey ? [] : ['=', printName(a.tableKey)]),
    ...(a.within === null ? [] : ['within', a.within.text, 'on', printExpr(a.ts!), ...(a.ts!.kind === 'name' && a.ts!.name === a.tableTs ? [] : ['=', printName(a.tableTs!)])]),
    ...(a.as === null ? [] : ['as', printName(a.as)]),
    ...(a.mode === 'inner' ? [] : [a.mode]),
  ].join(' '),
  build(args, ctx) {
    if (args.within !== null) {
      return intervalJoin({ ...args, withinMs: args.within.ms, ts: args.ts!, tableTs: args.tableTs! }, ctx, `join ${args.file} within ${args.within.text}`);
    }
    const loaded = tableOf(args, ctx);
    const table = loaded.rows;
    const keyFn = ctx.compiler.value(args.key);
    const { as, mode } = args;
    // stateful only for --state: the checkpoint keeps the table's hash, and a restart says when it changed
    return {
      kind: 'stateful',
      holds: false,
      end: () => [],
      snapshot: () => ({ table: loaded.digest }),
      restore(s) {
        if ((s as { table?: string } | null)?.table !== loaded.digest) {
          ctx.warn(`join ${args.file}: the table changed since the checkpoint; the records read from now on are joined with its rows as they are now`);
        }
      },
      push(batch: Batch): Batch {
        const out: Batch = [];
        for (const ev of batch) {
          const rec = ev.value;
          const k = keyText(keyFn(rec, ev));
          const rows = k === undefined ? undefined : table.get(k);
          if (rows === undefined || !isRecord(rec)) {
            if (mode === 'left') out.push(as === null || !isRecord(rec) ? ev : withValue(ev, nested(rec, as, null)));
            continue;
          }
          for (const row of rows) out.push(withValue(ev, as === null ? merged(rec, row) : nested(rec, as, row)));
        }
        return out;
      },
    };
  },
});
