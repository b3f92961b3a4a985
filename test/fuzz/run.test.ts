// `npm run fuzz` itself, tiny: it bundles, runs its workers, prints the table, and its watchdog
// ends a worker stuck on one input, records the hang and goes on after it (a planted target).

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const RUN = resolve(__dirname, 'run.mjs');

function fuzz(env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [RUN], { env: { ...process.env, SLUICE_FUZZ_SEED: '1', SLUICE_FUZZ_CLI_INPUTS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => void (out += b.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, out }));
  });
}

it('npm run fuzz: figures per target, a hang and a crash found and reported, and the run goes on', async () => {
  const { status, out } = await fuzz({ SLUICE_FUZZ_PLANTED: '1', SLUICE_FUZZ_TARGETS: 'planted,parse syslog,programs', SLUICE_FUZZ_INPUTS: '40', SLUICE_FUZZ_PROGRAMS: '20', SLUICE_FUZZ_HANG_MS: '1000' });
  expect(out).toMatch(/^sluice fuzz: seed 1; 40 inputs per decoder and parser, 20 programs/);
  expect(out).toMatch(/^planted +40 +1 +1 /m);
  expect(out).toMatch(/^parse syslog +40 +0 +0 /m);
  expect(out).toMatch(/^programs +20 +0 +0 /m);
  expect(out).toContain('planted seed 1 input 3: no result after 1000 ms');
  expect(out).toContain('planted seed 1 input 5: planted crash');
  expect(out).toMatch(/sluice fuzz: 2 crashes and hangs \(seed 1\)\n$/);
  expect(status).toBe(1);
}, 60_000);
