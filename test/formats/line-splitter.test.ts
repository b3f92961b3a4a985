import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/formats/line-splitter.js';

function split(chunks: string[], keepCR = false): [string, number][] {
  const s = new LineSplitter(keepCR);
  const out: [string, number][] = [];
  const take = (lines: string[]) => lines.forEach((l, i) => out.push([l, s.firstLine + i]));
  for (const c of chunks) take(s.push(c));
  take(s.finish());
  return out;
}

describe('LineSplitter', () => {
  it('splits on \\n and numbers lines from 1', () => {
    expect(split(['a\nb\nc\n'])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
  });

  it('keeps a last line without newline', () => {
    expect(split(['a\nb'])).toEqual([['a', 1], ['b', 2]]);
  });

  it('gives nothing for empty input, and one empty line for a lone newline', () => {
    expect(split([])).toEqual([]);
    expect(split(['', ''])).toEqual([]);
    expect(split(['\n'])).toEqual([['', 1]]);
  });

  it('strips CR of CRLF, even when CR and LF arrive in different chunks', () => {
    expect(split(['a\r\nb\r', '\nc\r\n'])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(split(['a\r\n'], true)).toEqual([['a\r', 1]]);
  });

  it('strips only a trailing CR', () => {
    expect(split(['a\rb\n'])).toEqual([['a\rb', 1]]);
  });

  it('strips a BOM at the very start only', () => {
    expect(split(['\uFEFFa\n\uFEFFb\n'])).toEqual([['a', 1], ['\uFEFFb', 2]]);
    expect(split(['', '\uFEFF', 'a'])).toEqual([['a', 1]]);
    expect(split(['\uFEFF'])).toEqual([]);
  });

  it('joins a line spread over many chunks', () => {
    expect(split(['ab', 'c', 'd\ne', 'f'])).toEqual([['abcd', 1], ['ef', 2]]);
  });

  it('is linear on a 50 MB line arriving in 64 KiB chunks', () => {
    const piece = 'x'.repeat(64 * 1024);
    const n = Math.ceil((50 * 1024 * 1024) / piece.length);
    const s = new LineSplitter();
    const t = performance.now();
    let got: string[] = [];
    for (let i = 0; i < n; i++) expect(s.push(piece)).toEqual([]);
    got = s.push('\nnext');
    expect(performance.now() - t).toBeLessThan(3000);
    expect(got.length).toBe(1);
    expect(got[0].length).toBe(n * piece.length);
    expect(s.firstLine).toBe(1);
    expect(s.finish()).toEqual(['next']);
    expect(s.firstLine).toBe(2);
  });
});
