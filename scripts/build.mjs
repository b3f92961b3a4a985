// Build: bundle the CLI into a few files with esbuild (tsc only type-checks). One module to
// compile instead of a hundred is most of sluice's start-up time; code splitting keeps what
// is rarely needed (Kafka, gzip, colour) in chunks that load only when used.

import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// commander is bundled in, not loaded from node_modules: a package loaded through Node's ESM
// loader costs start-up time (resolution, the CommonJS translator), and commander's first line
// loads node:child_process (5 ms), which it uses only for executable subcommands, which sluice
// does not have. Its node: requires become small ES modules here; child_process loads when called.
const COMMANDER_DIR = path.dirname(require.resolve('commander')) + path.sep;
const COMMANDER_BUILTINS = {
  'node:events': "export { EventEmitter } from 'node:events';",
  'node:path': "export * from 'node:path';",
  'node:fs': "export * from 'node:fs';",
  'node:process': 'module.exports = process;',
  'node:child_process':
    "import { createRequire } from 'node:module';\n" +
    "export function spawn(...args) { return createRequire(import.meta.url)('node:child_process').spawn(...args); }",
};
/** @type {import('esbuild').Plugin} */
const inlineCommander = {
  name: 'inline-commander',
  setup(b) {
    b.onResolve({ filter: /^commander$/ }, () => ({ path: require.resolve('commander') }));
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.importer.startsWith(COMMANDER_DIR) && COMMANDER_BUILTINS[args.path] !== undefined ? { path: args.path, namespace: 'commander-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'commander-builtin' }, (args) => ({
      contents: COMMANDER_BUILTINS[args.path],
      loader: 'js',
      resolveDir: COMMANDER_DIR,
    }));
  },
};

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
  plugins: [inlineCommander],
};

// gen-docs in a build of its own: as a second entry here it split the CLI's start-up code into one
// more chunk (code that both entries use), and each module Node's ES module loader resolves and
// links costs a run start-up time (about 2 ms of CPU for that one)
await build({ ...common, entryPoints: ['src/cli/main.ts'], chunkNames: 'chunks/[name]-[hash]' });
await build({ ...common, entryPoints: ['src/cli/gen-docs.ts'], chunkNames: 'chunks/docs-[name]-[hash]' });

// The worker of --threads (src/plan/thread-worker.ts) in one file of its own, loaded only by a run
// that reads on several threads: the CLI's chunks and start-up stay as they are, and what the
// worker never uses stays in lazily loaded chunks of its own.
await build({ ...common, entryPoints: ['src/plan/thread-worker.ts'], chunkNames: 'chunks/thread-[name]-[hash]' });
