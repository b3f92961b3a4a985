// The command-line fuzz layer, briefly (see cli.ts for what is checked): fuzzed inputs through
// main() in process, and a few through bin/sluice itself, whose exit status is what scripts see.
// `npm run fuzz` runs many more through the binary (SLUICE_FUZZ_CLI_INPUTS).

import { describe, expect, it } from 'vitest';
import { checkCli, cliFinding, inProcess, spawned, type Runner } from './cli.js';

const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

async function findings(run: Runner, from: number, count: number, parallel: number): Promise<string[]> {
  const found: string[] = [];
  for (let i = from; i < from + count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, from + count - i) }, (_, k) => cliFinding(SEED, i + k, run).then((f) => [i + k, f] as const)));
    for (const [index, f] of batch) if (f !== null && 'what' in f) found.push(`SLUICE_FUZZ_SEED=${SEED} case ${index}: ${f.what}\n    input: ${f.input}`);
  }
  return found;
}

describe(`fuzz the command line (seed ${SEED})`, () => {
  it('in process: exit 0 or 65, a file:line message, and --stats adding up', async () => {
    expect(await findings(inProcess, 0, Number(process.env.SLUICE_FUZZ_CI_CLI_INPUTS ?? 24), 1)).toEqual([]);
  });

  it('bin/sluice: the same, as a process', async () => {
    expect(await findings(spawned, 1000, 1, 1)).toEqual([]);
  }, 60_000);
});

describe('the command-line fuzz layer can fail', () => {
  it('catches output that --stats does not count, and a wrong exit status', async () => {
    // a case whose input decodes to records (the ndjson sample has several)
    const dropsALine: Runner = async (args, cwd) => {
      const r = await inProcess(args, cwd);
      return { ...r, stdout: r.stdout.replace(/^.*\n/, '') };
    };
    const exits70: Runner = async (args, cwd) => ({ ...(await inProcess(args, cwd)), status: 70 });
    const c = { text: '{"a":2}\n{"a":1}\n{"a":3,"b":1}\nnot json\n', format: 'ndjson', head: '', predicate: 'a > 1' };
    expect(await checkCli(c, inProcess)).toBe(null);
    expect(await checkCli(c, dropsALine)).toMatch(/^records out 2\/1, but 1\/0 lines written/);
    expect(await checkCli(c, exits70)).toMatch(/^--on-error skip: exit 70/);
    expect(await checkCli({ ...c, text: c.text.replace('not json\n', '') }, inProcess)).toBe(null);
  });
});
