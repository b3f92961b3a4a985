// template: one line per record from a pattern such as `{ts} {service} {req.path} {@offset}`,
// like kcat's -f. `{a.b[0]}` reads a nested field (negative indexes count from the end),
// `{.}` the whole value, `{@file}` `{@line}` `{@offset}` `{@partition}` `{@topic}` `{@key}`
// `{@timestamp}` (ISO-8601) `{@headers}` (or `{@headers.name}`) the metadata; `{{` and `}}`
// are literal braces, `\t` `\n` `\\` escapes. A missing value prints as nothing. The
// template is parsed once, when the encoder is made; a malformed one throws a UsageError.
// Each record ends in '\n' (added unless the template already ends with one).

import type { Event, Value } from '../core/event.js';
import { isRecord } from '../core/event.js';
import { UsageError } from '../errors/errors.js';
import type { EncoderFactory } from './types.js';
import { cellText, exactTexts } from './types.js';
import { defineFormat } from './spec.js';

type Step = string | number;

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'field'; path: Step[] }
  | { kind: 'meta'; name: Meta; path: Step[] };

const METAS = ['file', 'line', 'offset', 'partition', 'topic', 'key', 'timestamp', 'headers'] as const;
type Meta = (typeof METAS)[number];

/** Parse a template into its parts; throws UsageError naming the problem and its column. */
export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  const n = template.length;
  const fail = (msg: string, col: number): never => {
    throw new UsageError(`invalid template: ${msg} at column ${col}`, `  ${template}\n  ${' '.repeat(col - 1)}^`);
  };
  while (i < n) {
    const c = template[i];
    if (c === '\\' && i + 1 < n) {
      const d = template[i + 1];
      if (d === 't' || d === 'n' || d === '\\') {
        text += d === 't' ? '\t' : d === 'n' ? '\n' : '\\';
        i += 2;
        continue;
      }
    }
    if (c === '}') {
      if (template[i + 1] === '}') {
        text += '}';
        i += 2;
        continue;
      }
      fail("unmatched '}' (write '}}' for a literal brace)", i + 1);
    }
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    const open = template.indexOf('{', i + 1);
    if (close === -1 || (open !== -1 && open < close)) fail("unclosed '{' (write '{{' for a literal brace)", i + 1);
    const expr = template.slice(i + 1, close).trim();
    if (text.length > 0) parts.push({ kind: 'text', text });
    text = '';
    parts.push(parsePlaceholder(expr, i + 2, fail));
    i = close + 1;
  }
  if (text.length > 0) parts.push({ kind: 'text', text });
  return parts;
}

function parsePlaceholder(expr: string, col: number, fail: (msg: string, col: number) => never): Part {
  if (expr.length === 0) return fail('empty field name in {}', col);
  if (expr === '.') return { kind: 'field', path: [] };
  if (expr.startsWith('@')) {
    const dot = expr.search(/[.[]/);
    const name = dot === -1 ? expr.slice(1) : expr.slice(1, dot);
    if (!(METAS as readonly string[]).includes(name)) {
      fail(`unknown metadata '@${name}' (known: ${METAS.map((m) => '@' + m).join(' ')})`, col);
    }
    const rest = dot === -1 ? [] : parsePath(expr.slice(dot).replace(/^\./, ''), col, fail);
    if (rest.length > 0 && name !== 'headers') fail(`@${name} has no fields`, col);
    return { kind: 'meta', name: name as Meta, path: rest };
  }
  return { kind: 'field', path: parsePath(expr, col, fail) };
}

/** `a.b[0].c` → ['a', 'b', 0, 'c'] */
function parsePath(expr: string, col: number, fail: (msg: string, col: number) => never): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const n = expr.length;
  while (i < n) {
    if (expr[i] === '[') {
      const end = expr.indexOf(']', i);
      const idx = end === -1 ? '' : expr.slice(i + 1, end);
      if (!/^-?[0-9]+$/.test(idx)) fail(`bad index in '${expr}' (want [N])`, col);
      steps.push(Number(idx));
      i = end + 1;
      if (i < n && expr[i] === '.') {
        i++;
        if (i >= n) fail(`empty name after '.' in '${expr}'`, col);
      }
      continue;
    }
    let j = i;
    while (j < n && expr[j] !== '.' && expr[j] !== '[') j++;
    if (j === i) fail(`empty name in '${expr}'`, col);
    steps.push(expr.slice(i, j));
    i = j;
    if (i < n && expr[i] === '.') {
      i++;
      if (i >= n) fail(`empty name after '.' in '${expr}'`, col);
    }
  }
  return steps;
}

function walk(v: Value | undefined, path: Step[]): Value | undefined {
  for (let i = 0; i < path.length && v !== undefined; i++) {
    const s = path[i]!;
    if (typeof s === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[s < 0 ? v.length + s : s];
    } else {
      if (!isRecord(v) || !Object.hasOwn(v, s)) return undefined;
      v = v[s];
    }
  }
  return v;
}

function meta(ev: Event, name: Meta, path: Step[]): Value | undefined {
  switch (name) {
    case 'file':
      return ev.source.name;
    case 'line':
      return ev.line > 0 ? ev.line : undefined;
    case 'offset':
      return ev.offset >= 0 ? ev.offset : undefined;
    case 'partition':
      return ev.partition >= 0 ? ev.partition : undefined;
    case 'topic':
      return ev.source.topic;
    case 'key':
      return ev.key ?? undefined;
    case 'timestamp':
      return Math.abs(ev.timestamp) <= 8.64e15 ? new Date(ev.timestamp).toISOString() : undefined;
    case 'headers':
      return ev.headers === null ? undefined : walk(ev.headers, path);
  }
}

export const encodeTemplate: EncoderFactory = (opts) => {
  if (opts.template === undefined) throw new UsageError('the template output format needs --template');
  const parts = parseTemplate(opts.template);
  const last = parts[parts.length - 1];
  const eol = last !== undefined && last.kind === 'text' && last.text.endsWith('\n') ? '' : '\n';
  return {
    write(batch) {
      let out = '';
      for (let b = 0; b < batch.length; b++) {
        const ev = batch[b]!;
        const exact = ev.origin === undefined ? null : exactTexts(ev, opts.typeError);
        let line = '';
        for (let p = 0; p < parts.length; p++) {
          const part = parts[p]!;
          if (part.kind === 'text') line += part.text;
          else if (part.kind === 'field') line += cellText(walk(ev.value, part.path), exact);
          else line += cellText(meta(ev, part.name, part.path));
        }
        out += line + eol;
      }
      return out;
    },
    end() {
      return '';
    },
  };
};

export const templateFormat = defineFormat({
  name: 'template',
  summary: "each record through --template '{field} {@meta}' (output only)",
  encoder: encodeTemplate,
  needsTemplate: true,
});
