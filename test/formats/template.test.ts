import { describe, expect, it } from 'vitest';
import { encodeTemplate, parseTemplate } from '../../src/formats/template.js';
import { UsageError } from '../../src/errors/errors.js';
import type { Event } from '../../src/core/event.js';
import { makeEvent } from '../../src/core/event.js';
import { SOURCE } from './helpers.js';

function render(template: string, events: Event[]): string {
  return encodeTemplate({ template, passRaw: false }).write(events);
}

const rec = makeEvent({ ts: '2024-01-01', service: 'api', req: { path: '/x', tags: ['a', 'b', 'c'] }, n: 5, obj: { k: 1 }, nul: null }, undefined, SOURCE, 7, Date.UTC(2024, 0, 2, 3, 4, 5));

describe('template encoder', () => {
  it('fills fields and nested paths, one line per record', () => {
    expect(render('{ts} {service} {req.path} {req.tags[1]} {req.tags[-1]} {n}', [rec, rec])).toBe(
      '2024-01-01 api /x b c 5\n'.repeat(2),
    );
  });

  it('renders missing fields and null as empty, objects as JSON, {.} as the whole value', () => {
    expect(render('[{nope}|{nul}|{req.tags[9]}|{n.x}|{obj}]', [rec])).toBe('[||||{"k":1}]\n');
    expect(render('{.}', [makeEvent(42, undefined, SOURCE, 1, 0)])).toBe('42\n');
  });

  it('reads metadata', () => {
    const kafka: Event = { ...rec, source: { name: 'kafka://b/t', topic: 'orders' }, offset: 12, partition: 3, key: 'k1', headers: { h: 'v' } };
    expect(render('{@file}:{@line} {@topic}/{@partition}@{@offset} {@key} {@timestamp} {@headers.h} {@headers}', [kafka])).toBe(
      'kafka://b/t:7 orders/3@12 k1 2024-01-02T03:04:05.000Z v {"h":"v"}\n',
    );
    expect(render('[{@topic}|{@offset}|{@partition}|{@key}|{@headers}]', [rec])).toBe('[||||]\n');
  });

  it('turns {{ }} into braces and \\t \\n \\\\ into characters, without doubling a final newline', () => {
    expect(render('{{{n}}}\\t\\\\{{x}}', [rec])).toBe('{5}\t\\{x}\n');
    expect(render('{n}\\n', [rec])).toBe('5\n');
    expect(render('{n}\\n\\n', [rec])).toBe('5\n\n');
  });

  it('rejects malformed templates when the encoder is made', () => {
    expect(() => encodeTemplate({ template: 'a {b', passRaw: false })).toThrow(UsageError);
    expect(() => encodeTemplate({ template: 'a {b', passRaw: false })).toThrow("invalid template: unclosed '{' (write '{{' for a literal brace) at column 3");
    expect(() => parseTemplate('a } b')).toThrow(/unmatched '}'/);
    expect(() => parseTemplate('{a {b}}')).toThrow(/unclosed '{'/);
    expect(() => parseTemplate('{}')).toThrow(/empty field name/);
    expect(() => parseTemplate('{@nope}')).toThrow(/unknown metadata '@nope'/);
    expect(() => parseTemplate('{a[x]}')).toThrow(/bad index/);
    expect(() => parseTemplate('{a..b}')).toThrow(/empty name/);
    expect(() => parseTemplate('{@line.x}')).toThrow(/@line has no fields/);
    expect(() => encodeTemplate({ passRaw: false })).toThrow(/--template/);
  });

  it('writes plain text templates as they are', () => {
    expect(render('hello', [rec])).toBe('hello\n');
    expect(encodeTemplate({ template: 'x', passRaw: false }).end()).toBe('');
  });
});
