// --to FILE.gz / FILE.zst: written compressed, readable by gzip/zstd and by sluice itself; formats
// sluice does not write are refused before the file is touched.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputCodec } from '../../src/sinks/compressed.js';
import { UsageError } from '../../src/errors/errors.js';

const SLUICE = resolve(__dirname, '../../bin/sluice');
const FIXTURE = resolve(__dirname, '../../fixtures/orders.csv');
const nodeHasZstd = typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';

describe('compressed output by extension', () => {
  it('chooses the codec by the last extension, in any case', () => {
    expect(outputCodec('a.ndjson.gz', false)).toBe('gzip');
    expect(outputCodec('A.CSV.GZ', false)).toBe('gzip');
    expect(outputCodec('a.zst', true)).toBe('zstd');
    expect(outputCodec('a.gz.ndjson', false)).toBeNull();
    expect(outputCodec('out', false)).toBeNull();
  });

  it('refuses xz, bzip2, lz4, zip, and zstd where Node has no zstd compressor', () => {
    for (const p of ['a.xz', 'a.bz2', 'a.lz4', 'a.zip']) expect(() => outputCodec(p, true)).toThrow(UsageError);
    expect(() => outputCodec('a.zst', false)).toThrow(/Node 22.15 or later/);
  });

  it('a large .gz output is what gzip -dc and sluice read back, record for record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-gz-'));
    const out = join(dir, 'out.ndjson.gz');
    const input = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ i, s: `row ${i}` })).join('\n') + '\n';
    execFileSync(SLUICE, ['where true', '--to', out], { input });
    expect(execFileSync('gzip', ['-dc', out], { encoding: 'utf8' })).toBe(input);
    expect(execFileSync(SLUICE, ['where i % 1000 == 0 | select i', out], { encoding: 'utf8' }).split('\n').length).toBe(21);
  });

  it(nodeHasZstd ? '.zst is what zstd -dc and sluice read back' : '.zst is refused with exit 2 on this Node, and no file is made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-zst-'));
    const out = join(dir, 'out.ndjson.zst');
    const r = spawnSync(SLUICE, ['head 3 | select order_id', FIXTURE, '--to', out], { encoding: 'utf8' });
    if (!nodeHasZstd) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/writing zstd needs Node 22.15 or later/);
      expect(existsSync(out)).toBe(false);
      return;
    }
    expect(r.status).toBe(0);
    const text = '{"order_id":1001}\n{"order_id":1002}\n{"order_id":1003}\n';
    if (spawnSync('zstd', ['--version']).status === 0) expect(execFileSync('zstd', ['-dc', out], { encoding: 'utf8' })).toBe(text);
    expect(execFileSync(SLUICE, ['where true', out], { encoding: 'utf8' })).toBe(text);
  });
});
