#!/usr/bin/env node
// Heap bytes per key of aggregates (issue #16.10): node bench/keys-memory.mjs [N ...]
// Bundles bench/keys-memory.ts with esbuild and runs it under --expose-gc.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(os.tmpdir(), `sluice-keys-memory-${process.pid}.mjs`);
if (process.argv[2] === '--child') {
  const { measure } = await import(process.argv[3]);
  const n = Number(process.argv[4]);
  const programs = [
    ['count() by user', (i) => ({ user: `user${i}` })],
    ['count(), sum(v), avg(v) by user', (i) => ({ user: `user${i}`, v: i })],
    ['count() by user, page', (i) => ({ user: `user${i}`, page: i % 7 })],
    ['window tumbling 1h on ts | count() by user', (i) => ({ user: `user${i}`, ts: 1714564800000 })],
  ];
  {
    // one program per process: what one leaves behind must not count in the next
    const [program, value] = programs[Number(process.argv[5])];
    const r = measure(program, n, value);
    console.log(`| ${program} | ${n} | ${r.bytesPerKey.toFixed(0)} | ${(r.ms / 1000).toFixed(2)} |`);
  }
} else {
  await build({ entryPoints: [path.join(HERE, 'keys-memory.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
  console.log('| program | keys | heap bytes per key | seconds |\n|---|---|---|---|');
  for (const n of process.argv.slice(2).length ? process.argv.slice(2) : ['1000000']) {
    for (let p = 0; p < 4; p++) {
      spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', out, n, String(p)], { stdio: 'inherit' });
    }
  }
}
