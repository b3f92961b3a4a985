import { suggestion } from '../errors/diagnostic.js';
import { LimitError } from '../errors/errors.js';
import type { Span } from '../lang/ast.js';
import { printString } from '../lang/print.js';
import { outputFormatList } from '../formats/index.js';
import { cellText } from '../formats/types.js';
import type { Batch, Event } from '../core/event.js';
import { getPath, type Segment } from './paths.js';
import { defineOperator, stateless, type SideOutput } from './types.js';

interface TeeArgs {
  target: string;
  /** `as FORMAT`; null: the run's -O */
  format: string | null;
  span: Span;
}

/** At most this many files of one path template are written (each is an open file). */
export const MAX_TEE_FILES = 500;

/** `out/{level}.ndjson` -> text parts and field paths in turn; null when the target has no `{…}`. */
function pathTemplate(target: string): { text: string[]; fields: Segment[][] } | null {
  if (target.startsWith('kafka:') || !/\{[^{}]+\}/.test(target)) return null;
  const text: string[] = [];
  const fields: Segment[][] = [];
  let at = 0;
  for (const m of target.matchAll(/\{([^{}]+)\}/g)) {
    text.push(target.slice(at, m.index));
    fields.push(m[1]!.trim().split('.'));
    at = m.index! + m[0].length;
  }
  text.push(target.slice(at));
  return { text, fields };
}

/** A field's value as one path segment: never a separator, `.` or `..`, so that a record cannot choose another folder. */
function segmentText(v: unknown): string {
  const t = cellText(v as never).replace(/[/\\\0]/g, '_');
  return t === '' || t === '.' || t === '..' ? '_' : t;
}

export const tee = defineOperator<TeeArgs>({
  name: 'tee',
  aliases: [],
  kind: 'stateless',
  summary: 'also write the records that reach it to a file or a Kafka topic, and pass them on',
  usage: "tee 'PATH' | 'PATH/{FIELD}…' | 'kafka://HOST:PORT/TOPIC' [as FORMAT]",
  description:
    'Writes every record that reaches it to a side output and passes it on unchanged, so that one run can keep the raw ' +
    'stream and write a filtered or aggregated view (`tee raw.ndjson | where level == "error"`). The output is written in ' +
    'the format of -O (ndjson when -O is not given or is table; --template with -O template), or in FORMAT with `as FORMAT`; ' +
    'a Kafka topic gets each record as a JSON message (no key), acknowledged with acks=all. ' +
    'A path with `{FIELD}` in it is a template: each record goes to the file its fields name (`tee \'by-level/{level}.ndjson\'`; ' +
    'a value with a / becomes _, a missing one _; at most 500 files, each an open file, then exit 75), opened as records come and never ' +
    'creating folders. A plain path or topic is opened before the first record is read (exit 69 when it cannot be). ' +
    'A file is written afresh, as --to is, except when --state resumes a job: then it is appended to, after cutting off a ' +
    'line a crash left half written. Before Kafka ' +
    'offsets are committed or a checkpoint is taken, what tee wrote is flushed (files) and acknowledged (Kafka), as the ' +
    'main output is; a failure to write it stops the run with exit 74, saying how many records were written. Across a ' +
    'crash with --state, tee is at least once, like the main output: records after the last checkpoint are written again. ' +
    'Write the path in quotes when it has a space, or starts with / or kafka:.',
  examples: [
    {
      program: "tee 'all.ndjson' | where level == \"error\"",
      input: '{"level":"info","msg":"up"}\n{"level":"error","msg":"disk full"}\n',
      output: '{"level":"error","msg":"disk full"}\n',
    },
  ],
  parse(p) {
    const first = p.peek();
    let target: string;
    let span: Span;
    if (first.kind === 'string') {
      target = p.string().value;
      span = first.span;
    } else {
      // a bare path: the tokens up to the next space (`out/{level}.ndjson`, `raw-1.ndjson`)
      if (p.atStageEnd()) p.fail("tee needs a path or kafka://HOST:PORT/TOPIC, such as tee 'raw.ndjson'", first.span);
      let end = first.span.end;
      p.next();
      while (!p.atStageEnd() && p.peek().span.start === end) end = p.next().span.end;
      span = { start: first.span.start, end };
      target = p.text.slice(span.start, end);
    }
    if (target === '') p.fail('tee needs a path, not an empty string', span);
    let format: string | null = null;
    if (p.acceptKeyword('as')) {
      const f = p.name('an output format after `as`');
      const names: string[] = outputFormatList.map((o) => o.name).filter((n) => n !== 'table');
      if (!names.includes(f.name)) p.fail(`tee writes ${names.join(', ')}, not '${f.name}'${suggestion(f.name, names)}`, f.span);
      format = f.name;
    }
    if (format !== null && format !== 'ndjson' && target.startsWith('kafka:')) p.fail('tee writes Kafka messages as JSON: leave out `as FORMAT`', span);
    return { target, format, span };
  },
  print: (a) => `${printString(a.target)}${a.format === null ? '' : ` as ${a.format}`}`,
  build({ target, format }, ctx) {
    if (!ctx.sideOutput) throw new Error('tee built without side outputs');
    const template = pathTemplate(target);
    if (template === null) {
      const out = ctx.sideOutput(target, format);
      return stateless((batch) => {
        if (batch.length > 0) out.write(batch);
        return batch;
      });
    }
    const files = new Map<string, SideOutput>();
    const open = ctx.sideOutput;
    const pathOf = (ev: Event): string => {
      let s = template.text[0]!;
      for (let i = 0; i < template.fields.length; i++) s += segmentText(getPath(ev.value, template.fields[i]!)) + template.text[i + 1]!;
      return s;
    };
    return stateless((batch) => {
      // one write per file and batch, each file's records in their order
      const groups = new Map<string, Batch>();
      for (const ev of batch) {
        const path = pathOf(ev);
        let g = groups.get(path);
        if (g === undefined) groups.set(path, (g = []));
        g.push(ev);
      }
      for (const [path, g] of groups) {
        let out = files.get(path);
        if (out === undefined) {
          if (files.size >= MAX_TEE_FILES) {
            throw new LimitError(`tee ${printString(target)}: more than ${MAX_TEE_FILES} files (${printString(path)} would be the next); use a template with fewer values`);
          }
          out = open(path, format);
          files.set(path, out);
        }
        out.write(g);
      }
      return batch;
    });
  },
});
