// The folders of src/ form layers (src/README.md): a module may import from its own folder and
// from folders of a lower layer, never from a higher one or one beside it. This is what keeps
// the house free of cycles; the test reads every import in src/ and fails on one that crosses.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** layer of each folder, lowest first; the same table is printed in src/README.md */
const LAYERS: Record<string, number> = {
  core: 0,
  errors: 0,
  time: 1,
  render: 1,
  lang: 2,
  formats: 2,
  aggregates: 2,
  'formats/parse': 3,
  operators: 4,
  sources: 5,
  sinks: 5,
  runtime: 6,
  kafka: 7,
  plan: 8,
  cli: 9,
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const folderOf = (file: string) => relative(SRC, dirname(file)).replace(/\\/g, '/');

describe('src/ layers', () => {
  const files = tsFiles(SRC);

  it('every folder has a layer and a README', () => {
    const folders = new Set(files.map(folderOf).filter((f) => f !== ''));
    for (const f of folders) {
      expect(LAYERS[f], `src/${f} has no layer in test/house/layers.test.ts and src/README.md`).toBeDefined();
      expect(() => statSync(join(SRC, f, 'README.md')), `src/${f}/README.md`).not.toThrow();
    }
  });

  it('no import goes up or sideways', () => {
    const crossings: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const to = folderOf(resolve(dirname(file), m[1]!));
        if (to === from) continue;
        if (!(LAYERS[to]! < LAYERS[from]!)) crossings.push(`${relative(SRC, file)} imports ${m[1]} (${from} ${LAYERS[from]} -> ${to} ${LAYERS[to]})`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('src/README.md states the same layers', () => {
    const readme = readFileSync(join(SRC, 'README.md'), 'utf8');
    for (const [folder, layer] of Object.entries(LAYERS)) {
      expect(readme, `src/README.md: | ${layer} | \`${folder}/\``).toMatch(new RegExp(`\\| ${layer} \\| \`${folder.replace('/', '\\/')}/\``));
    }
  });
});
