// Start-up stays within 50 ms of `node -e ''` (#13): a plain run must not load what only some runs
// use. Through the probe (startup-probe.ts), the expensive built-ins stay out: node:crypto
// (checkpoints, join tables), node:perf_hooks (the `performance` global), node:child_process
// (commander's executable subcommands), and so do the packages loaded only when used.

import { describe, expect, it } from 'vitest';
import { startupLoads } from './startup-probe.js';

describe('a plain run loads only what it needs', () => {
  const cases: [string, string[]][] = [
    ['where on stdin', ['where status >= 500']],
    ['select on a file', ['select service, status', 'fixtures/events.ndjson']],
    ['an aggregate', ['count() by service', 'fixtures/events.ndjson']],
  ];
  it.each(cases)('%s', (_name, args) => {
    const { builtins, files, esm } = startupLoads(args, '{"status":503,"service":"api"}\n');
    expect(builtins).toContain('fs'); // the probe does see the loads
    expect(esm).toBe(false);
    // (node:net is not on the list: Node opens a pipe on stdin or stderr through it)
    for (const m of ['crypto', 'perf_hooks', 'child_process', 'zlib', 'http', 'tls', 'worker_threads']) expect(builtins, m).not.toContain(m);
    for (const pkg of ['kafkajs', 'chalk', 'ajv', 'avsc', 'protobufjs', 'prom-client', 'fzstd', 'xz-decompress', '@bokuweb/zstd-wasm', 'commander']) {
      expect(files.filter((f) => f.includes(`/node_modules/${pkg}/`)), pkg).toEqual([]);
    }
  });
});
