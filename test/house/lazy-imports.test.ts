// Heavy modules load only when used (src/README.md): the bundle's start-up graph — dist/cli/main.js
// and every chunk it imports statically, transitively — must not import them. A dynamic
// `import()` is fine: that is how they are kept in lazy chunks. Run after `npm run build`.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = resolve(__dirname, '../../dist');

/** Every module the entry imports statically, transitively: relative chunks followed, packages listed. */
function startupImports(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    // `import{a}from"x"`, `import*as b from"x"`, `import"x"`; never `import("x")`
    for (const m of text.matchAll(/\bimport\s*(?:[\w$*{},\s]*?\bfrom\s*)?["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) todo.push(join(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('start-up imports', () => {
  const { files, packages } = startupImports(join(DIST, 'cli/main.js'));

  it('reads the bundle (npm run build first)', () => {
    expect(files.length).toBeGreaterThan(1);
    expect(packages.has('node:fs')).toBe(true);
  });

  // commander is bundled in (scripts/build.mjs): no package resolution and no CommonJS translation
  // at start-up, and its node:child_process (for executable subcommands, which sluice has not)
  // loads only when called
  it('bundles commander in, without its child_process', () => {
    expect([...packages]).not.toContain('commander');
    expect(files.some((f) => readFileSync(f, 'utf8').includes('commander.unknownOption'))).toBe(true);
  });

  it.each(['ajv', 'ajv/dist/2020.js', 'ajv-formats', 'ajv-formats/dist/formats.js', 'node:zlib', 'zlib', 'kafkajs', 'chalk', 'fzstd', 'xz-decompress', 'avsc', 'protobufjs', 'prom-client', '@bokuweb/zstd-wasm', 'node:child_process', 'child_process'])('%s loads only when used', (pkg) => {
    expect([...packages]).not.toContain(pkg);
  });
});
