// Reading only the fields a program needs (plan/projection.ts, formats/ndjson-project.ts), through the
// command line: the same bytes on stdout, the same messages, counts and exit status as reading whole
// records (SLUICE_PROJECTION=0), on input full of traps; and the projecting reader really runs
// when the program allows it, and not when it does not.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LineProjector } from '../../src/formats/ndjson-project.js';

const tmp = mkdtempSync(join(tmpdir(), 'sluice-projection-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const deep = `{"service":"deep","x":${'['.repeat(1100)}${']'.repeat(1100)}}`;
const TRAPS = [
  '\uFEFF{"ts":"2024-05-01T12:00:10Z","epoch_ms":1714564810000,"service":"api","path":"/a","status":200,"latency_ms":12.5,"big":9007199254740993}\r',
  '{"epoch_ms":1714564811000,"service":"api","path":"/b","status":503,"latency_ms":30.25,"huge":1e400,"big":1}\r',
  '{"epoch_ms":1714564812000,"service":"db","path":"/a","status":500,"status":200,"latency_ms":7,"msg":"\\"status\\":999"}',
  '',
  '{"epoch_ms":1714564813000,"service":"db","req":{"status":504,"service":"x"},"status":504,"latency_ms":1.5e2,"__proto__":{"status":1}}',
  '{"epoch_ms":1714564814000,"service":"api","status":"5\\u0030\\u0030","latency_ms":-0,"path":"/\\u00e9"}',
  '{"epoch_ms":1714564815000,"service":"api","status":502,"latency_ms":3,"bad":"tab\there"}',
  '{"epoch_ms":1714564816000,"service":"api","status":501,"latency_ms":3,}',
  '[1,2]',
  '   ',
  deep,
  '{"epoch_ms":1714564875000,"s\\u0065rvice":"esc","status":500,"latency_ms":0.1,"big":12345678901234567890}',
  '{"epoch_ms":1714564876000,"service":"api","status":599,"latency_ms":2,"nested":{"a":[1,{"b":"c"}]},"big":123456789012345678}',
  '{"epoch_ms":1714564877000,"service":"api","status":500',
];
// the first records go whole to the misspelt-field watch (WATCHED_RECORDS): the traps come again after them
const FILLER = Array.from({ length: 1000 }, (_, i) => `{"epoch_ms":${1714564878000 + i * 100},"service":"fill","path":"/f","status":200,"latency_ms":${i % 7}}`);
const INPUT = [...TRAPS, ...FILLER, ...TRAPS.slice(1)].join('\n');
const file = join(tmp, 'in.ndjson');
writeFileSync(file, INPUT);

interface Run { status: number; stdout: string; stderr: string }
let runs = 0;
async function sluice(env: Record<string, string>, args: string[]): Promise<Run> {
  const out = join(tmp, `out-${runs++}`);
  let stderr = '';
  const status = await main(['--to', out, ...args], { stderr: (t) => void (stderr += t), stdout: () => undefined, env });
  let stdout = '';
  try {
    stdout = readFileSync(out, 'utf8');
  } catch {
    // nothing written
  }
  // --stats: the time and rate lines vary from run to run
  return { status, stdout, stderr: stderr.replace(/^sluice: (elapsed|rate) .*$/gm, '') };
}

const PROJECTED = [
  ['where status >= 500'],
  ['count() by service'],
  ['p95(latency_ms) by path'],
  ['window tumbling 1m on epoch_ms | count(), avg(latency_ms) by service'],
  ['where status >= 500 | select service, big, latency_ms'],
  ['sum(big), max(latency_ms) by service'],
  ['where statuss >= 500'],
  ['tail 3'],
  ['sort latency_ms desc | head 4'],
  ['dedupe service'],
  ['where status >= 500', '--on-error', 'fail'],
  ['count() by service', '--on-error', 'warn'],
  ['where @line > 2 and status > 0'],
  ['where status >= 500 | select service', '-O', 'csv'],
];
const WHOLE = [
  ['where status >= 500', '-O', 'csv'],
  ['set x = 1'],
  ['where len(tojson(this)) > 0'],
];

describe('reading only the fields a program needs', () => {
  for (const args of [...PROJECTED, ...WHOLE]) {
    const projects = PROJECTED.includes(args);
    it(`${args.join(' ')}: the same output, messages and status as whole records${projects ? '' : ' (it reads whole records)'}`, async () => {
      const whole = await sluice({ SLUICE_PROJECTION: '0' }, ['--on-error', 'skip', '--stats', ...args, file]);
      const spy = vi.spyOn(LineProjector.prototype, 'project');
      const part = await sluice({}, ['--on-error', 'skip', '--stats', ...args, file]);
      expect(part).toEqual(whole);
      if (projects) expect(spy).toHaveBeenCalled();
      else expect(spy).not.toHaveBeenCalled();
    });
  }

  it('records written from their values are read whole when they reach the output (csv in, ndjson out)', async () => {
    const csv = join(tmp, 'in.csv');
    writeFileSync(csv, `status,service,path\n${Array.from({ length: 1500 }, (_, i) => `${i % 3 === 0 ? 500 : 200},s${i % 4},/p${i}`).join('\n')}\n`);
    const whole = await sluice({ SLUICE_PROJECTION: '0' }, ['where status >= 500', csv]);
    const part = await sluice({}, ['where status >= 500', csv]);
    expect(part).toEqual(whole);
    expect(part.stdout.split('\n')[0]).toBe('{"status":500,"service":"s0","path":"/p0"}');
  });

  it('the misspelt-field warning still sees every key of the first records', async () => {
    const clean = join(tmp, 'clean.ndjson');
    writeFileSync(clean, FILLER.join('\n'));
    const r = await sluice({}, ['where statuss >= 500', clean]);
    expect(r.stderr).toContain("field 'statuss' never seen in the first");
    expect(r.stderr).toContain("did you mean 'status'?");
  });

  it('--dead-letter keeps the same bad lines', async () => {
    const dl = (n: string) => join(tmp, `dead-${n}.ndjson`);
    const whole = await sluice({ SLUICE_PROJECTION: '0' }, ['count() by service', '--dead-letter', dl('whole'), file]);
    const part = await sluice({}, ['count() by service', '--dead-letter', dl('part'), file]);
    expect(part).toEqual(whole);
    expect(readFileSync(dl('part'), 'utf8')).toBe(readFileSync(dl('whole'), 'utf8'));
    expect(readFileSync(dl('part'), 'utf8').split('\n').length).toBeGreaterThan(3);
  });
});
