// A vitest reporter that makes skipped tests visible. It ends every run with one line saying how
// many tests were skipped and why (the reason is in the skipped suite's name, `[skipped: …]`),
// then the plain closing line `tests: N passed, N failed, N skipped`. Under
// SLUICE_REQUIRE_KAFKA=1 (CI) a skipped test that is not in ALLOWED fails the run: a green CI
// must mean that every test ran.

import { spawnSync } from 'node:child_process';
import type { File, Task } from 'vitest';
import type { Reporter } from 'vitest/reporters';

/** Tests that may be skipped even in CI, with the reason (name substring -> why). */
const ALLOWED: Record<string, string> = {};

function leaves(t: Task, out: Task[]): void {
  if (t.type === 'suite') for (const c of t.tasks) leaves(c, out);
  else out.push(t);
}

const haveKcat = !spawnSync('kcat', ['-V']).error;

function reasonOf(t: Task): string {
  for (let s: Task | undefined = t; s; s = s.suite) {
    const m = /\[skipped: ([^\]]+)\]/.exec(s.name);
    if (m) return m[1]!;
  }
  if (!haveKcat && /test\/kafka\//.test(t.file?.filepath ?? '')) return 'kcat is not installed (apt-get install kcat)';
  return 'marked skip in the test file';
}

export default class SkipReporter implements Reporter {
  onFinished(files: File[] = []): void {
    const all: Task[] = [];
    for (const f of files) leaves(f, all);
    const skipped = all.filter((t) => t.mode === 'skip' || t.mode === 'todo' || t.result?.state === 'skip');
    const failed = all.filter((t) => t.result?.state === 'fail').length;
    const passed = all.filter((t) => t.result?.state === 'pass').length;
    const byReason = new Map<string, number>();
    for (const t of skipped) byReason.set(reasonOf(t), (byReason.get(reasonOf(t)) ?? 0) + 1);
    if (skipped.length > 0) {
      const why = [...byReason].map(([r, n]) => `${n} ${r}`).join('; ');
      process.stdout.write(`\nsluice: ${skipped.length} test${skipped.length === 1 ? '' : 's'} skipped: ${why}\n`);
    }
    const required = process.env.SLUICE_REQUIRE_KAFKA === '1';
    const unexpected = skipped.filter((t) => !Object.keys(ALLOWED).some((k) => t.name.includes(k)));
    if (required && unexpected.length > 0) {
      process.stdout.write(`sluice: SLUICE_REQUIRE_KAFKA=1 allows no skipped test; skipped: ${unexpected.slice(0, 10).map((t) => `${t.file?.name ?? ''} > ${t.name}`).join(', ')}${unexpected.length > 10 ? ', …' : ''}\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
