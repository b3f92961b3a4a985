// --exactly-once with a local --state file: on a restart the checkpoint to resume from is the one
// whose transaction committed, and the group's committed offsets say which. A predecessor killed
// after it sent the commit of its last transaction leaves that transaction committing: its offsets
// show only once the coordinator has written its markers. So the restart must first fence the
// predecessor (initialize the transactional producer: the coordinator answers only once that
// transaction is complete) and only then read the committed offsets; read before, they are the
// ones of the transaction before, the older checkpoint is taken (it may lack a partition that the
// newer one began to read, which is then read from the committed offset without its state).
// And when the restart resumes from PATH.prev (the newest checkpoint's transaction never committed),
// the committed one is written as PATH again: else the restarted run's first checkpoint would push
// it out, and a crash before that checkpoint's transaction committed would leave no checkpoint
// that matches the committed offsets (exit 65).
// The Kafka modules are stand-ins here that record the order of the calls; the real broker runs
// are in test/kafka/watermarks.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../src/errors/errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/runtime/checkpoint.js';

const calls: string[] = [];

vi.mock('../../src/kafka/sink.js', () => ({
  isTransactionalSink: (s: unknown) => (s as { transactional?: boolean } | null)?.transactional === true,
  kafkaSink: async () => ({
    kind: 'events',
    transactional: true,
    isTerminal: false,
    closed: false,
    write: () => undefined,
    flush: async () => undefined,
    end: async () => undefined,
    prepareTransactions: async (group: string) => { calls.push(`fence ${group}`); },
    commitTransaction: async () => undefined,
    sendInTransaction: async () => undefined,
  }),
}));

vi.mock('../../src/kafka/source.js', () => ({
  committedOffsets: async () => {
    calls.push('read committed offsets');
    return [{ topic: 'in', partition: 0, offset: 5 }];
  },
  kafkaInput: async () => {
    calls.push('open the input');
    throw new UnavailableError('kafka: stand-in input');
  },
}));

// the state file is written below with a fingerprint of its own: the check is not what this is about
vi.mock('../../src/runtime/checkpoint.js', async (original) => ({
  ...(await original<typeof import('../../src/runtime/checkpoint.js')>()),
  checkFingerprint: () => undefined,
}));

const dir = mkdtempSync(join(tmpdir(), 'sluice-eos-fence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function checkpointAt(sequence: number, offset: number): Promise<Checkpoint> {
  const { version } = await import('../../src/cli/main.js');
  return {
    sluice: version(),
    fingerprint: { program: 'count()', inputs: ['kafka://127.0.0.1:1/in'], options: {} },
    taken: 0,
    sequence,
    finished: false,
    inputs: [{ kind: 'kafka', name: 'in', offsets: [['in', 0, offset]] }],
    stages: [null],
    stats: {},
  };
}

/** The job until it opens its input (the stand-in fails there): exit status and stderr. */
async function restart(state: string): Promise<[number, string]> {
  const { main } = await import('../../src/cli/main.js');
  let stderr = '';
  const status = await main(
    ['--state', state, '--exactly-once', '-G', 'g1', '--to', 'kafka://127.0.0.1:1/out', 'count()', 'kafka://127.0.0.1:1/in'],
    { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: {} },
  );
  return [status, stderr];
}

it('--exactly-once --state FILE: the predecessor is fenced before the committed offsets are read', async () => {
  const state = join(dir, 'job.state');
  writeFileSync(state, encodeCheckpoint(await checkpointAt(1, 5)));
  calls.length = 0;
  expect(await restart(state)).toEqual([69, 'sluice: kafka: stand-in input\n']);
  expect(calls).toEqual(['fence g1', 'read committed offsets', 'open the input']);
});

it('resuming from PATH.prev (the newest checkpoint\'s transaction never committed): it becomes PATH again, so that the next checkpoint does not push the committed one out', async () => {
  const state = join(dir, 'prev.state');
  // the group committed offset 5, with checkpoint 1; checkpoint 2 (offset 9) was written, its transaction never committed
  writeFileSync(state, encodeCheckpoint(await checkpointAt(2, 9)));
  writeFileSync(`${state}.prev`, encodeCheckpoint(await checkpointAt(1, 5)));
  expect(await restart(state)).toEqual([69, 'sluice: kafka: stand-in input\n']);
  // the run's first checkpoint renames PATH to PATH.prev: that must be checkpoint 1, the committed one
  const [now, prev] = [decodeCheckpoint(readFileSync(state), state), decodeCheckpoint(readFileSync(`${state}.prev`), state)];
  expect([now.sequence, now.inputs]).toEqual([1, [{ kind: 'kafka', name: 'in', offsets: [['in', 0, 5]] }]]);
  expect(prev.sequence).toBe(2);
});
