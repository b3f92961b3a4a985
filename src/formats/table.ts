// table: aligned columns for people, rendered at end() since widths need every row.
// Columns are the union of keys in order of first appearance; a missing cell is empty.
// Non-integer numbers are rounded for reading (--precision, 4 significant digits by default;
// machine formats keep every digit). A column of numbers only is aligned on the decimal point (integers right-aligned), its
// header right-aligned; elsewhere numbers are right-aligned and other cells left-aligned.
// Two spaces between columns, no trailing spaces, no colour (src/render adds it). Control
// characters in cells are shown escaped (`\n`, `\t`, `\x1b`) so that one record stays one line
// and no cell can drive the terminal (errors/printable.ts).

import type { Value } from '../core/event.js';
import { isRecord } from '../core/event.js';
import type { EncoderFactory } from './types.js';
import { cellText, DEFAULT_PRECISION, roundForReading } from './types.js';
import { defineFormat } from './spec.js';
import { printable } from '../errors/printable.js';

const GAP = '  ';

export const encodeTable: EncoderFactory = (opts) => {
  const precision = opts.precision ?? DEFAULT_PRECISION;
  const values: Value[] = [];
  return {
    write(batch) {
      for (let i = 0; i < batch.length; i++) values.push(batch[i]!.value);
      return '';
    },
    end() {
      const text = renderTable(values, precision);
      values.length = 0;
      return text;
    },
  };
};

interface Column {
  name: string;
  cells: (string | undefined)[];
  numeric: boolean[];
  allNumeric: boolean;
}

/**
 * Render records as an aligned text table ('' for no records); non-integer numbers are rounded
 * to `precision` significant digits for reading (types.ts roundForReading), 'full' keeps them.
 */
export function renderTable(values: Value[], precision: number | 'full' = 'full'): string {
  if (values.length === 0) return '';
  const index = new Map<string, number>();
  const cols: Column[] = [];
  const column = (name: string): Column => {
    let i = index.get(name);
    if (i === undefined) {
      i = cols.length;
      index.set(name, i);
      cols.push({ name, cells: new Array<string | undefined>(values.length), numeric: new Array<boolean>(values.length).fill(false), allNumeric: true });
    }
    return cols[i]!;
  };
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (isRecord(v)) {
      for (const k of Object.keys(v)) put(column(k), r, v[k], precision);
    } else {
      put(column('value'), r, v, precision);
    }
  }
  if (cols.length === 0) return '';

  const rendered: string[][] = values.map(() => []);
  const header: string[] = [];
  for (const col of cols) {
    const name = printable(col.name);
    let width = displayWidth(name);
    const cells: string[] = new Array<string>(values.length);
    if (col.allNumeric) {
      // align on the decimal point: integer parts right-aligned, fractions left-aligned
      let intW = 0;
      let fracW = 0;
      for (const c of col.cells) {
        if (c === undefined) continue;
        const dot = fractionStart(c);
        intW = Math.max(intW, dot);
        fracW = Math.max(fracW, c.length - dot);
      }
      width = Math.max(width, intW + fracW);
      for (let r = 0; r < values.length; r++) {
        const c = col.cells[r];
        if (c === undefined) {
          cells[r] = ' '.repeat(width);
          continue;
        }
        const dot = fractionStart(c);
        const aligned = ' '.repeat(intW - dot) + c + ' '.repeat(fracW - (c.length - dot));
        cells[r] = ' '.repeat(width - aligned.length) + aligned;
      }
      header.push(' '.repeat(width - displayWidth(name)) + name);
    } else {
      for (const c of col.cells) if (c !== undefined) width = Math.max(width, displayWidth(c));
      for (let r = 0; r < values.length; r++) {
        const c = col.cells[r] ?? '';
        const pad = ' '.repeat(width - displayWidth(c));
        cells[r] = col.numeric[r] ? pad + c : c + pad;
      }
      header.push(name + ' '.repeat(width - displayWidth(name)));
    }
    for (let r = 0; r < values.length; r++) rendered[r]!.push(cells[r]!);
  }
  let out = trimEnd(header.join(GAP)) + '\n';
  for (const row of rendered) out += trimEnd(row.join(GAP)) + '\n';
  return out;
}

function put(col: Column, row: number, v: Value | undefined, precision: number | 'full'): void {
  if (v === undefined) return;
  const isNum = typeof v === 'number';
  col.cells[row] = isNum && Number.isFinite(v) ? roundForReading(v, precision) : printable(cellText(v));
  col.numeric[row] = isNum;
  if (!isNum) col.allNumeric = false;
}

/** Index where the fractional part (from '.' or an exponent) of a number's text starts. */
function fractionStart(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return i;
  }
  return s.length;
}

function trimEnd(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/** Columns a string takes on a terminal: wide East Asian and emoji count 2, combining marks 0. */
export function displayWidth(s: string): number {
  if (ASCII_PRINTABLE.test(s)) return s.length;
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (isZeroWidth(cp)) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export const tableFormat = defineFormat({
  name: 'table',
  summary: 'aligned columns (output only; the default for aggregates on a terminal)',
  encoder: encodeTable,
});
