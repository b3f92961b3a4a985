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
    expect(split(['x\na\rb\n'])).toEqual([['x', 1], ['a\rb', 2]]);
  });

  it('splits on CR when the first line end is a lone CR (classic Mac), in any chunking', () => {
    const text = 'h,n\r1,a\r\r2,b\r\n3\r';
    const want = [['h,n', 1], ['1,a', 2], ['', 3], ['2,b', 4], ['3', 5]];
    for (let cut = 0; cut <= text.length; cut++) {
      expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(want);
      expect(split([...text])).toEqual(want);
    }
    expect(split(['a\r'])).toEqual([['a', 1]]);
    expect(split(['a\r', 'b'])).toEqual([['a', 1], ['b', 2]]);
    expect(split(['a\r', '\nb'])).toEqual([['a', 1], ['b', 2]]);
    expect(split(['a\rb\n'])).toEqual([['a', 1], ['b\n', 2]]);
  });

  it('keeps its line end across a snapshot', () => {
    const s = new LineSplitter();
    expect(s.push('a\rb')).toEqual(['a']);
    const t = new LineSplitter();
    t.restore(s.snapshot());
    expect(t.push('\rc\r')).toEqual(['b', 'c']);
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
