import { describe, expect, it } from 'vitest';
import { jsonErrorText } from '../../src/formats/types.js';

describe('jsonErrorText', () => {
  it('gives Node 20\'s wording on every Node version (V8 12 appends the line and column)', () => {
    expect(jsonErrorText(new SyntaxError("Expected property name or '}' in JSON at position 1 (line 1 column 2)")))
      .toBe("invalid JSON: Expected property name or '}' in JSON at position 1");
    expect(jsonErrorText(new SyntaxError('Unexpected end of JSON input'))).toBe('invalid JSON: Unexpected end of JSON input');
    let caught: unknown;
    try { JSON.parse('{"a":'); } catch (e) { caught = e; }
    expect(jsonErrorText(caught)).not.toMatch(/\(line \d+ column \d+\)/);
  });
});
