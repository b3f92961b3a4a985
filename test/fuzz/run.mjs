// `npm run fuzz`: bundle test/fuzz/run.ts (TypeScript, and a worker script for itself) with
// esbuild into dist/fuzz/, then run it. Settings are environment variables, listed in run.ts.

import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// one bundle per run, so that a run started meanwhile (or an edit) never changes this one's workers
const out = join(here, '..', '..', 'dist', 'fuzz', `run-${process.pid}.js`);
await build({
  entryPoints: [join(here, 'run.ts')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // the modules find the corpora from their own folder, as under vitest
  define: { __dirname: JSON.stringify(here) },
  logLevel: 'warning',
});
try {
  await import(pathToFileURL(out).href); // returns when the run is over
} finally {
  rmSync(out, { force: true });
}
