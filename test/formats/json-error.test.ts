import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonProblem, jsonSyntaxError } from '../../src/formats/json-syntax.js';
import { printable } from '../../src/errors/printable.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// JSON texts, and texts near JSON: a valid text with a piece cut out, doubled, or a character put in
const nearJson = fc.oneof(
  fc.json(),
  fc.tuple(fc.json(), fc.nat(), fc.nat({ max: 3 })).map(([t, at, len]) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + len)),
  fc.tuple(fc.json(), fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\x1b', '\t', '\n', ' ', '-', '.', 'e', '0', 'x', '\u00a0'))
    .map(([t, at, c]) => t.slice(0, at % (t.length + 1)) + c + t.slice(at % (t.length + 1))),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', '1', '-', 'e', '.', ' ', 'n', 'true', 'null', '\x07') }),
);

describe('jsonProblem', () => {
  it('finds a problem exactly when JSON.parse refuses the text', () => {
    fc.assert(fc.property(nearJson, (text) => {
      expect(jsonProblem(text) === null).toBe(parses(text));
    }), { numRuns: 3000 });
  });

  it('its message is sluice\'s own, printable, with a column inside the text', () => {
    fc.assert(fc.property(nearJson.filter((t) => !parses(t) && !t.includes('\n')), (text) => {
      const m = jsonSyntaxError(text);
      expect(printable(m)).toBe(m);
      const col = Number(/ at column (\d+)$/.exec(m)![1]);
      expect(col).toBeGreaterThanOrEqual(1);
      expect(col).toBeLessThanOrEqual(text.length + 1);
    }), { numRuns: 2000 });
  });

  it('words the common problems', () => {
    expect(jsonSyntaxError('{"a":1')).toBe('invalid JSON: unexpected end of text at column 7');
    expect(jsonSyntaxError('{"a":1,}')).toBe("invalid JSON: expected a property name in double quotes, found '}' at column 8");
    expect(jsonSyntaxError('\x1b[2J\x1b]0;title\x07')).toBe('invalid JSON: unexpected U+001B at column 1');
    expect(jsonSyntaxError('{"a":"x\x07"}')).toBe('invalid JSON: control character U+0007 in a string (write it as \\u0007) at column 8');
    expect(jsonSyntaxError('{"a":[1,2}')).toBe("invalid JSON: expected ',' or ']', found '}' at column 10");
    expect(jsonSyntaxError('{"a":1}x')).toBe("invalid JSON: unexpected 'x' after the value at column 8");
    expect(jsonSyntaxError('{"a":"\\q"}')).toBe("invalid JSON: unknown escape '\\q' in a string at column 7");
    expect(jsonSyntaxError('{"a":"\\\x1b"}')).toBe("invalid JSON: unknown escape '\\' + U+001B in a string at column 7");
    expect(jsonSyntaxError('\u00a0')).toBe('invalid JSON: unexpected U+00A0 at column 1');
    expect(jsonSyntaxError('{"a":\n1,\n  "b" 2}', 10)).toBe("invalid JSON: expected ':' after the property name, found '2' at line 12 column 7");
  });

  it('any depth, without recursion', () => {
    expect(jsonProblem('['.repeat(100_000) + ']'.repeat(100_000))).toBeNull();
    expect(jsonProblem('['.repeat(100_000))).toEqual({ at: 100_000, what: 'unexpected end of text' });
  });
});
