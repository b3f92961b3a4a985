// Build: bundle the CLI into a few files with esbuild (tsc only type-checks). One module to
// compile instead of a hundred is most of sluice's start-up time; code splitting keeps what
// is rarely needed (Kafka, gzip, colour) in chunks that load only when used.

import { build } from 'esbuild';

// dist/ is not emptied first: a process that is running the previous build (a test, a
// benchmark) may still load one of its chunks lazily. Old chunks are small and ignored by git.
await build({
  entryPoints: ['src/cli/main.ts', 'src/cli/gen-docs.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  logLevel: 'warning',
});
