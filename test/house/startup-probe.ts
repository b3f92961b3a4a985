// Runs bin/sluice (after `npm run build`) with a preloaded probe that writes, at exit, what the
// process loaded: the Node built-ins (process.moduleLoadList) and the CommonJS files
// (require.cache). The bundle and its launcher are CommonJS, so a run that loads no ES module at
// all (`esm` false) has every package it loaded in `packages`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');

export interface StartupLoads {
  /** built-in modules by their internal names: 'fs', 'crypto', 'internal/streams/readable' */
  builtins: string[];
  /** the CommonJS files required */
  files: string[];
  /** 'node:zlib' and 'zlib' for a built-in; 'ajv' and 'ajv/dist/2020.js' for a package's file */
  packages: Set<string>;
  /** an ES module was loaded (then `packages` may miss one) */
  esm: boolean;
}

/** What one run of `bin/sluice ARGS` (in the repository, stdin: INPUT) loaded. */
export function startupLoads(args: string[], input = ''): StartupLoads {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-startup-'));
  try {
    const out = join(dir, 'loads.json');
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
    );
    execFileSync(BIN, args, { input, cwd: ROOT, env: { ...process.env, NODE_OPTIONS: `--require ${probe}` }, stdio: ['pipe', 'ignore', 'pipe'] });
    const j = JSON.parse(readFileSync(out, 'utf8')) as { builtins: string[]; files: string[] };
    const builtins = j.builtins.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    const packages = new Set<string>();
    for (const b of builtins) if (!b.startsWith('internal/')) packages.add(b).add(`node:${b}`);
    for (const f of j.files) {
      const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(f);
      if (m) packages.add(m[1]!).add(`${m[1]}/${m[2]}`);
    }
    return { builtins, files: j.files, packages, esm: builtins.includes('internal/modules/esm/module_job') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
