// Golden CLI cases: test/cases/<area>/<name>/ holds `cmd` (a shell line run from the repo
// root with bin/ on PATH), optional `input` (stdin), `expected` (stdout), `expected-err`
// (stderr; absent means stderr must be empty) and `status` (exit code; absent means 0).
// UPDATE_GOLDEN=1 npm test rewrites expected files after a deliberate change.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const CASES = join(ROOT, 'test', 'cases');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function findCases(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (existsSync(join(p, 'cmd'))) out.push(p);
    else out.push(...findCases(p));
  }
  return out;
}

/** Timing lines in --stats vary from run to run. */
function normalizeErr(s: string): string {
  return s.replace(/(elapsed\s+)\d+\.\d+ s/g, '$1<elapsed>').replace(/(rate\s+)\d+ records\/s/g, '$1<rate>');
}

function run(caseDir: string): Promise<{ stdout: string; stderr: string; status: number }> {
  const cmd = readFileSync(join(caseDir, 'cmd'), 'utf8').trim();
  const inputPath = join(caseDir, 'input');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}`, CASE: caseDir, TZ: 'UTC' };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', cmd], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      status: code ?? (signal ? 128 : -1),
    }));
    child.stdin.on('error', () => undefined);
    if (existsSync(inputPath)) child.stdin.end(readFileSync(inputPath));
    else child.stdin.end();
  });
}

const cases = findCases(CASES);

describe.concurrent('golden CLI cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const dir of cases) {
    it(relative(CASES, dir), async () => {
      const got = await run(dir);
      const stderr = normalizeErr(got.stderr);
      // exit 70 is a bug in sluice: no case may reach it, whatever it records (issue #16)
      expect(got.stderr, 'internal error reached').not.toMatch(/internal error/);
      expect(got.status, 'exit 70 (internal error) reached').not.toBe(70);
      const files = { expected: join(dir, 'expected'), err: join(dir, 'expected-err'), status: join(dir, 'status') };
      if (UPDATE) {
        writeFileSync(files.expected, got.stdout);
        if (stderr) writeFileSync(files.err, stderr);
        else if (existsSync(files.err)) unlinkSync(files.err);
        if (got.status !== 0) writeFileSync(files.status, `${got.status}\n`);
        else if (existsSync(files.status)) unlinkSync(files.status);
        return;
      }
      const want = {
        stdout: existsSync(files.expected) ? readFileSync(files.expected, 'utf8') : '',
        stderr: existsSync(files.err) ? readFileSync(files.err, 'utf8') : '',
        status: existsSync(files.status) ? Number(readFileSync(files.status, 'utf8').trim()) : 0,
      };
      expect({ stdout: got.stdout, stderr, status: got.status }).toEqual(want);
    });
  }
});
