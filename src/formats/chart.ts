// chart: aggregate results drawn for people, rendered at end() since the scale needs every row.
// Without windows, a horizontal bar per key: `label  value  ████▍`, bars scaled to the largest
// value with eighth-block resolution. With windows (records carry window_start), a sparkline
// per key (▁▂▃▄▅▆▇█, one character per window in window order, blank where the key had no
// result), scaled to that key's own min..max, which are written after it. The value is the
// first numeric column after the first column (an aggregate writes its keys first), or the only
// column; the label is the columns before it, window bounds and `final` left out. Everything
// fits in `width` columns (the terminal's; 80 elsewhere): bars shrink, and a sparkline keeps the
// latest windows. Records with no numeric column cannot be drawn and come out as a table.

import type { Value } from '../core/event.js';
import { isRecord } from '../core/event.js';
import { printable } from '../errors/printable.js';
import { defineFormat } from './spec.js';
import { displayWidth, renderTable } from './table.js';
import type { EncoderFactory } from './types.js';
import { cellText, DEFAULT_PRECISION, roundForReading } from './types.js';

const DEFAULT_WIDTH = 80;
const SPARKS = '▁▂▃▄▅▆▇█';
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const SKIPPED = new Set(['window_start', 'window_end', 'final']);

export const encodeChart: EncoderFactory = (opts) => {
  const values: Value[] = [];
  const precision = opts.precision ?? DEFAULT_PRECISION;
  const width = opts.width ?? DEFAULT_WIDTH;
  return {
    write(batch) {
      for (let i = 0; i < batch.length; i++) values.push(batch[i]!.value);
      return '';
    },
    end() {
      const text = renderChart(values, width, precision);
      values.length = 0;
      return text;
    },
  };
};

interface Point {
  /** the key columns' values */
  label: string;
  value: number | null;
  window: string | number | null;
}

/** Draw records as bars (or sparklines, when they carry window_start) within `width` columns. */
export function renderChart(values: Value[], width: number = DEFAULT_WIDTH, precision: number | 'full' = DEFAULT_PRECISION): string {
  if (values.length === 0) return '';
  if (!values.every(isRecord)) return renderTable(values, precision);
  const records = values as Record<string, Value>[];
  const names: string[] = [];
  const seen = new Set<string>(SKIPPED);
  for (const r of records) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  const numeric = (k: string) => records.every((r) => r[k] === undefined || r[k] === null || typeof r[k] === 'number') && records.some((r) => typeof r[k] === 'number');
  const at = names.findIndex((k, i) => (i > 0 || names.length === 1) && numeric(k));
  if (at < 0) return renderTable(values, precision);
  const measure = names[at]!;
  const keys = names.slice(0, at);
  const windowed = records.some((r) => r.window_start !== undefined);
  const points: Point[] = records.map((r) => {
    const v = r[measure];
    const win = r.window_start;
    return {
      label: keys.map((k) => printable(cellText(r[k]))).join(' '),
      value: typeof v === 'number' && Number.isFinite(v) ? v : null,
      window: typeof win === 'string' || typeof win === 'number' ? win : null,
    };
  });
  return windowed ? sparklines(points, measure, width, precision) : bars(points, measure, width, precision);
}

function bars(points: Point[], measure: string, width: number, precision: number | 'full'): string {
  const labels = points.map((p) => p.label);
  const texts = points.map((p) => (p.value === null ? '' : roundForReading(p.value, precision)));
  const labelW = Math.max(...labels.map(displayWidth));
  const valueW = Math.max(displayWidth(measure), ...texts.map((t) => t.length));
  const lead = labelW > 0 ? labelW + 2 : 0;
  const barW = Math.max(1, width - lead - valueW - 2);
  const max = Math.max(0, ...points.map((p) => p.value ?? 0));
  let out = trimEnd(' '.repeat(lead) + measure.padStart(valueW)) + '\n';
  for (let i = 0; i < points.length; i++) {
    const v = points[i]!.value;
    const eighths = v === null || v <= 0 || max === 0 ? 0 : Math.max(1, Math.round((v / max) * barW * 8));
    const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
    const label = labels[i]!;
    out += trimEnd((lead > 0 ? label + ' '.repeat(lead - displayWidth(label)) : '') + texts[i]!.padStart(valueW) + '  ' + bar) + '\n';
  }
  return out;
}

function sparklines(points: Point[], measure: string, width: number, precision: number | 'full'): string {
  const windows = [...new Set(points.map((p) => p.window).filter((w) => w !== null))].sort(compareWindows);
  const col = new Map(windows.map((w, i) => [w, i]));
  const series = new Map<string, (number | null)[]>();
  for (const p of points) {
    if (p.window === null) continue;
    let s = series.get(p.label);
    if (s === undefined) series.set(p.label, (s = new Array<number | null>(windows.length).fill(null)));
    s[col.get(p.window)!] = p.value;
  }
  const labelW = Math.max(...[...series.keys()].map(displayWidth));
  const lead = labelW > 0 ? labelW + 2 : 0;
  // the range text's width depends on the windows shown, which depend on its width: measure it on all of them
  const rangeOf = (s: (number | null)[]) => {
    const known = s.filter((v): v is number => v !== null);
    if (known.length === 0) return { lo: 0, hi: 0, text: '' };
    const lo = Math.min(...known);
    const hi = Math.max(...known);
    return { lo, hi, text: `${roundForReading(lo, precision)}..${roundForReading(hi, precision)}` };
  };
  const rangeW = Math.max(...[...series.values()].map((s) => rangeOf(s).text.length));
  const sparkW = Math.max(1, Math.min(windows.length, width - lead - 2 - rangeW));
  const first = windows.length - sparkW;
  const rows = [...series].map(([label, s]) => ({ label, s, ...rangeOf(s.slice(first)) }));
  const title = `${measure} over ${sparkW} window${sparkW === 1 ? '' : 's'} from ${windows[first]} to ${windows[windows.length - 1]}`;
  let out = (title.length > width ? `${title.slice(0, width - 1)}…` : title) + '\n';
  for (const r of rows) {
    let spark = '';
    for (let i = first; i < windows.length; i++) {
      const v = r.s[i];
      spark += v === null || v === undefined ? ' ' : SPARKS[r.hi === r.lo ? 3 : Math.round(((v - r.lo) / (r.hi - r.lo)) * 7)];
    }
    out += trimEnd((lead > 0 ? r.label + ' '.repeat(lead - displayWidth(r.label)) : '') + spark + '  ' + r.text) + '\n';
  }
  return out;
}

function compareWindows(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function trimEnd(s: string): string {
  return s.replace(/ +$/, '');
}

export const chartFormat = defineFormat({
  name: 'chart',
  summary: 'bars per key for an aggregate, a sparkline per key over windows, fitted to the terminal (output only)',
  encoder: encodeChart,
});
