import { describe, expect, it } from 'vitest';
import { parser } from './helpers.js';

describe('parse kv', () => {
  const p = parser('kv');

  it('picks pairs out of free text and ignores the rest', () => {
    expect(p.parse('2024-05-01 12:00:03 WARN payment failed user=ann order_id=7781 amount=12.50 reason="card declined"')).toEqual({
      user: 'ann', order_id: 7781, amount: '12.50', reason: 'card declined',
    });
  });

  it('accepts = and :, and blanks , ; between pairs', () => {
    expect(p.parse('a=1,b=2;c=3 d:4')).toEqual({ a: 1, b: 2, c: 3, d: 4 });
    expect(p.parse('status: 200, method: GET, path: /api')).toEqual({ status: 200, method: 'GET', path: '/api' });
    expect(p.parse('time: 12:00:03 url=http://x/?a=1')).toEqual({ time: '12:00:03', url: 'http://x/?a=1' });
  });

  it('does not take times, addresses or numbers for keys', () => {
    expect(p.parse('12:00:03 10.0.0.1:8080 [::1]:80 -x=1 ok=yes')).toEqual({ ok: 'yes' });
  });

  it('reads quoted keys and values, either quote, with escapes', () => {
    expect(p.parse(`"user id"=5 name='O\\'Brien' note="say \\"hi\\"" path='C:\\\\tmp'`)).toEqual({
      'user id': 5, name: "O'Brien", note: 'say "hi"', path: 'C:\\tmp',
    });
  });

  it('is not thrown off by apostrophes or stray quotes in prose', () => {
    expect(p.parse(`don't stop, a=1 "unclosed b=2 'x c=3`)).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('takes the rest of the line for an unterminated quoted value', () => {
    expect(p.parse('a=1 msg="no end here b=2')).toEqual({ a: 1, msg: 'no end here b=2' });
  });

  it('gives the empty string for a missing value', () => {
    expect(p.parse('a= b=2 c:, d=')).toEqual({ a: '', b: 2, c: '', d: '' });
  });

  it('keeps strings with --no-infer and never infers quoted values', () => {
    expect(parser('kv', undefined, false).parse('a=1 b=true')).toEqual({ a: '1', b: 'true' });
    expect(p.parse('a="1" b=1')).toEqual({ a: '1', b: 1 });
  });

  it('gives a reason when there is no pair', () => {
    expect(p.parse('')).toBe('no key=value pairs');
    expect(p.parse('just words, and more; words')).toBe('no key=value pairs');
    expect(p.parse('=1 :2 "x" 1=2')).toBe('no key=value pairs');
  });
});
