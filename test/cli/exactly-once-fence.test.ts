// --exactly-once with a local --state file: on a restart the checkpoint to resume from is the one
// whose transaction committed, and the group's committed offsets say which. A predecessor killed
// after it sent the commit of its last transaction leaves that transaction committing: its offsets
// show only once the coordinator has written its markers. So the restart must first fence the
// predecessor (initialize the transactional producer: the coordinator answers only once that
// transaction is complete) and only then read the committed offsets; read before, they are the
// ones of the transaction before, the older checkpoint is taken (it may lack a partition that the
// newer one began to read, which is then read from the committed offset without its state).
// The Kafka modules are stand-ins here that record the order of the calls; the real broker runs
// are in test/kafka/watermarks.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../src/errors/errors.js';
import { encodeCheckpoint, type Checkpoint } from '../../src/runtime/checkpoint.js';

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

it('--exactly-once --state FILE: the predecessor is fenced before the committed offsets are read', async () => {
  const { main, version } = await import('../../src/cli/main.js');
  const state = join(dir, 'job.state');
  const cp: Checkpoint = {
    sluice: version(),
    fingerprint: { program: 'count()', inputs: ['kafka://127.0.0.1:1/in'], options: {} },
    taken: 0,
    sequence: 1,
    finished: false,
    inputs: [{ kind: 'kafka', name: 'in', offsets: [['in', 0, 5]] }],
    stages: [null],
    stats: {},
  };
  writeFileSync(state, encodeCheckpoint(cp));
  let stderr = '';
  const status = await main(
    ['--state', state, '--exactly-once', '-G', 'g1', '--to', 'kafka://127.0.0.1:1/out', 'count()', 'kafka://127.0.0.1:1/in'],
    { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: {} },
  );
  expect([status, stderr]).toEqual([69, 'sluice: kafka: stand-in input\n']);
  expect(calls).toEqual(['fence g1', 'read committed offsets', 'open the input']);
});
