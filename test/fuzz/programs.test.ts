// Random programs from the grammar, briefly (programs.ts; `npm run fuzz` runs many more): each is
// refused with a one-line UsageError (exit 2) or compiles and runs over random records without
// throwing anything but DataError under --on-error fail (exit 65). Never exit 70.

import { describe, expect, it } from 'vitest';
import { inProcess, spawned } from './cli.js';
import { checkProgram, checkProgramCli } from './programs.js';

const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = Number(process.env.SLUICE_FUZZ_CI_PROGRAMS ?? 250);

describe(`random programs (seed ${SEED})`, () => {
  it(`${COUNT} programs: refused with exit 2 or run without a crash`, async () => {
    const kinds = new Map<string, number>();
    const crashes: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const o = await checkProgram(SEED, i);
      kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      if (o.kind === 'crash') crashes.push(`SLUICE_FUZZ_SEED=${SEED} program ${i}: ${o.what}`);
    }
    if (process.env.SLUICE_FUZZ_VERBOSE) console.log(Object.fromEntries(kinds));
    expect(crashes).toEqual([]);
    // the generator reaches both sides: programs that run and programs that are refused
    expect(kinds.get('ran') ?? 0).toBeGreaterThan(COUNT / 10);
    expect(kinds.get('refused') ?? 0).toBeGreaterThan(COUNT / 20);
  });
});

describe(`random programs on the command line (seed ${SEED})`, () => {
  it('exit 2 exactly when refused, else 0, 1 (assert) or 65 (bad data under fail): in process', async () => {
    const found: string[] = [];
    for (let i = 0; i < Number(process.env.SLUICE_FUZZ_CI_CLI_PROGRAMS ?? 60); i++) {
      const f = await checkProgramCli(SEED, 100_000 + i, inProcess);
      if (f !== null) found.push(`SLUICE_FUZZ_SEED=${SEED} program ${100_000 + i}: ${f}`);
    }
    expect(found).toEqual([]);
  });

  it('the same through bin/sluice', async () => {
    const found = (await Promise.all([0].map((i) => checkProgramCli(SEED, 200_000 + i, spawned)))).filter((f) => f !== null);
    expect(found).toEqual([]);
  }, 60_000);
});
