// Build: bundle the CLI into a few files with esbuild (tsc only type-checks). One module to
// compile instead of a hundred is most of sluice's start-up time; code splitting keeps what
// is rarely needed (Kafka, gzip, colour) in chunks that load only when used.

import { build } from 'esbuild';

// dist/ is not emptied first: a process that is running the previous build (a test, a
// benchmark) may still load one of its chunks lazily. Old chunks are small and ignored by git.
/** What both builds share: ES modules for Node 20 under dist/, split into lazily loaded chunks. */
const common = {
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/cli/main.ts', 'src/cli/gen-docs.ts'], chunkNames: 'chunks/[name]-[hash]' });

// The worker of --threads (src/plan/thread-worker.ts) in one file of its own, loaded only by a run
// that reads on several threads: the CLI's chunks and start-up stay as they are, and what the
// worker never uses stays in lazily loaded chunks of its own.
await build({ ...common, entryPoints: ['src/plan/thread-worker.ts'], chunkNames: 'chunks/thread-[name]-[hash]' });
