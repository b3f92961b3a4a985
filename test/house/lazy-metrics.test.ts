// prom-client takes 150–250 ms to load on a busy machine: only --metrics may pay for it. The
// bundle's start-up graph (the static imports of dist/cli/main.js, followed through its
// chunks) must not reach it; the metrics module is a lazy chunk. Needs a build (dist/).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const MAIN = join(resolve(__dirname, '..', '..'), 'dist', 'cli', 'main.js');

function startup(): { files: Set<string>; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?"([^"]+)"/g)) {
      const dep = m[1]!;
      if (dep.startsWith('.')) walk(resolve(dirname(file), dep));
      else packages.add(dep);
    }
  };
  walk(MAIN);
  return { files: seen, packages };
}

it('start-up does not load prom-client; the metrics chunk does, when --metrics asks for it', () => {
  const { files, packages } = startup();
  expect(packages.has('node:fs')).toBe(true); // the walk does see the static imports
  expect(packages.has('prom-client')).toBe(false);
  const lazy = [...files].some((f) => /import\("(?:\.|\.\.\/chunks)\/metrics-[^"]+\.js"\)/.test(readFileSync(f, 'utf8')));
  expect(lazy).toBe(true);
});
