// Heavy modules load only when used (src/README.md): a plain run of bin/sluice (after `npm run
// build`) must not load them. The bundle is one CommonJS file in which what a run may not need is
// initialised only when first imported; the probe (startup-probe.ts) lists what a run did load.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, startupLoads } from './startup-probe.js';

describe('start-up imports', () => {
  const { packages, esm } = startupLoads(['where status >= 500', 'fixtures/events.ndjson']);

  it('sees what a run loads (npm run build first)', () => {
    expect(packages.has('node:fs')).toBe(true);
  });

  // with no ES module loaded, every package a run loaded is in `packages`
  it('loads no ES module', () => {
    expect(esm).toBe(false);
  });

  // commander is bundled in (scripts/build.mjs): no package resolution and no CommonJS translation
  // at start-up, and its node:child_process (for executable subcommands, which sluice has not)
  // loads only when called
  it('bundles commander in, without its child_process', () => {
    expect([...packages]).not.toContain('commander');
    expect(readFileSync(join(ROOT, 'dist/cli/main.cjs'), 'utf8')).toContain('commander.unknownOption');
  });

  it.each(['ajv', 'ajv/dist/2020.js', 'ajv-formats', 'ajv-formats/dist/formats.js', 'node:zlib', 'zlib', 'kafkajs', 'chalk', 'fzstd', 'xz-decompress', 'avsc', 'protobufjs', 'prom-client', '@bokuweb/zstd-wasm', 'node:child_process', 'child_process'])('%s loads only when used', (pkg) => {
    expect([...packages]).not.toContain(pkg);
  });
});
