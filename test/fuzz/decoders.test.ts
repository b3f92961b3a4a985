// The in-process fuzzers, briefly: a few hundred inputs per decoder and parser from a seed that
// changes every run (printed, and set with SLUICE_FUZZ_SEED to run a failure again). The long
// run is `npm run fuzz`. Known bugs (known.ts) are counted, not failed.

import { describe, expect, it } from 'vitest';
import { describeFinding, runTarget } from './engine.js';
import { allTargets } from './targets.js';

const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INPUTS = Number(process.env.SLUICE_FUZZ_CI_INPUTS ?? 300);

describe(`fuzz every decoder and parser (seed ${SEED}, ${INPUTS} inputs each)`, () => {
  for (const target of allTargets()) {
    it(target.name, () => {
      const tally = runTarget(target, SEED, 0, INPUTS, 2000);
      const found = [...tally.crashes, ...tally.hangs];
      expect(found.map(describeFinding), `SLUICE_FUZZ_SEED=${SEED}`).toEqual([]);
      expect(tally.inputs).toBe(INPUTS);
    });
  }
});
