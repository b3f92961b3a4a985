// End to end, in process: a csv program run with the input projection (DecodeOptions.fields: the
// csv decoder cuts only the columns the program reads) writes the same bytes, the same messages and
// --stats, and exits the same as with whole records (SLUICE_PROJECTION=0), for random csv input and
// random where/select/aggregate programs, under every --on-error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-csv-proj-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
async function run(args: string[], input: string, projection: boolean): Promise<{ status: number; out: string; err: string }> {
  const n = runs++;
  const file = join(dir, `in-${n}.csv`);
  const out = join(dir, `out-${n}`);
  writeFileSync(file, input);
  let err = '';
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', TZ: 'UTC' };
  if (!projection) env.SLUICE_PROJECTION = '0';
  const status = await main(['--to', out, ...args, file], { stderr: (t) => void (err += t), stdout: () => undefined, env });
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // nothing written
  }
  return { status, out: text, err: err.replaceAll(file, 'IN').replace(/(elapsed\s+)\S+ s/g, '$1T').replace(/(rate\s+)\d+/g, '$1R') };
}

const COLS = ['ts', 'svc', 'status', 'lat', 'user', 'x y'];
const cell = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('', '0', '-0', '7', '500', '503', '200', '6.8', '1.50', '1e3', '007', 'true', 'api', 'web', ' pad ', 'a"b', '2024-05-01T12:00:00Z') },
  { weight: 2, arbitrary: fc.constantFrom('"q,r"', '"say ""hi"""', '"two\nlines"', '"cr\r\nlf"', '""', '"504"', '"x"y', '"open') },
);
const csv = fc
  .record({
    header: fc.shuffledSubarray(COLS, { minLength: 1 }),
    rows: fc.array(fc.array(cell, { minLength: 1, maxLength: 7 }), { maxLength: 10 }),
    nl: fc.constantFrom('\n', '\r\n'),
    end: fc.boolean(),
  })
  .map(({ header, rows, nl, end }) => [header.map((h) => (h.includes(' ') ? `"${h}"` : h)).join(','), ...rows.map((r) => r.join(','))].join(nl) + (end ? nl : ''));

const name = fc.constantFrom(...COLS.map((c) => (c.includes(' ') ? '`x y`' : c)), 'nope');
const cond = fc.oneof(
  fc.tuple(name, fc.constantFrom('>=', '==', '!=', '<'), fc.constantFrom('500', '7', '"api"', 'null', '1.5')).map(([a, op, b]) => `${a} ${op} ${b}`),
  name.map((a) => `exists(${a})`),
  fc.constant('true'),
);
const program = fc.oneof(
  fc.tuple(cond, fc.uniqueArray(name, { minLength: 1, maxLength: 4 })).map(([c, s]) => `where ${c} | select ${s.join(', ')}`),
  fc.tuple(cond, name).map(([c, s]) => `where ${c} | head 3 | select ${s}, ${s} as again`),
  cond.map((c) => `where ${c}`),
  name.map((k) => `count() by ${k}`),
  fc.tuple(name, name).map(([a, b]) => `sort ${a} | select ${b}`),
);

describe('csv input projection, end to end', () => {
  it('gives the same bytes, messages, --stats and exit status as whole records', async () => {
    await fc.assert(
      fc.asyncProperty(csv, program, fc.constantFrom('csv', 'ndjson', 'tsv'), fc.constantFrom('fail', 'skip', 'warn'), async (input, prog, out, onError) => {
        const args = ['-I', 'csv', '-O', out, '--on-error', onError, '--stats', prog];
        const whole = await run(args, input, false);
        expect(whole.status).not.toBe(70);
        expect(await run(args, input, true)).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });
});
