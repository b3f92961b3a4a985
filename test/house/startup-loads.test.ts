// Start-up stays within 50 ms of `node -e ''` (#13): a plain run must not load what only some runs
// use. This runs bin/sluice (after `npm run build`) with a preloaded probe that writes, at exit,
// the Node built-ins the process loaded (process.moduleLoadList) and the files it required, and
// checks that the expensive ones stayed out: node:crypto (checkpoints, join tables), node:perf_hooks
// (the `performance` global), node:child_process (commander's executable subcommands) and the
// packages kept in lazy chunks.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sluice');
const dir = mkdtempSync(join(tmpdir(), 'sluice-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What one run of `bin/sluice ARGS` (stdin: INPUT) loaded: built-in module names and required files. */
function loads(args: string[], input: string): { builtins: string[]; files: string[] } {
  const out = join(dir, `loads-${Math.random().toString(36).slice(2)}.json`);
  const probe = join(dir, 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
  );
  execFileSync(BIN, args, { input, cwd: ROOT, env: { ...process.env, NODE_OPTIONS: `--require ${probe}` }, stdio: ['pipe', 'ignore', 'pipe'] });
  const j = JSON.parse(readFileSync(out, 'utf8')) as { builtins: string[]; files: string[] };
  return { builtins: j.builtins.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)), files: j.files };
}

describe('a plain run loads only what it needs', () => {
  const cases: [string, string[]][] = [
    ['where on stdin', ['where status >= 500']],
    ['select on a file', ['select service, status', 'fixtures/events.ndjson']],
    ['an aggregate', ['count() by service', 'fixtures/events.ndjson']],
  ];
  it.each(cases)('%s', (_name, args) => {
    const { builtins, files } = loads(args, '{"status":503,"service":"api"}\n');
    expect(builtins).toContain('fs'); // the probe does see the loads
    // (node:net is not on the list: Node opens a pipe on stdin or stderr through it)
    for (const m of ['crypto', 'perf_hooks', 'child_process', 'zlib', 'http', 'tls', 'worker_threads']) expect(builtins, m).not.toContain(m);
    for (const pkg of ['kafkajs', 'chalk', 'ajv', 'avsc', 'protobufjs', 'prom-client', 'fzstd', 'xz-decompress', '@bokuweb/zstd-wasm', 'commander']) {
      expect(files.filter((f) => f.includes(`/node_modules/${pkg}/`)), pkg).toEqual([]);
    }
  });
});
