// The worker thread of --threads: one chunk runner (thread-run.ts) over the chunks the main thread
// sends (runtime/threads.ts). A limit reached here (the heap nearly full) is passed on to be
// reported as on one thread; anything else thrown is a bug, passed on as such.

import { parentPort, workerData } from 'node:worker_threads';
import { LimitError } from '../errors/errors.js';
import { READY, type ChunkJob, type ChunkResult } from '../runtime/threads.js';
import { columnBuffers } from '../runtime/thread-columns.js';
import { chunkRunner } from './thread-run.js';
import type { ThreadInput, ThreadProgram } from './thread-plan.js';

const runner = chunkRunner(workerData as ThreadProgram & ThreadInput);
// the program is compiled: chunks may come
parentPort!.postMessage(READY);

parentPort!.on('message', (job: ChunkJob) => {
  let r: ChunkResult;
  try {
    r = runner.run(job);
  } catch (e) {
    r = { seq: job.seq, segments: [], bads: [], lines: 0, now: 0, keys: null, invalidUtf8: 0, invalidUtf8Lines: 0, error: (e as Error)?.stack ?? String(e) };
    if (e instanceof LimitError) r.limit = e.message;
  }
  // the message is a copy (the partial's live state may go now); the bytes go back for the next chunk
  r.bytes = job.bytes;
  const moved = [job.bytes];
  for (const g of r.segments) if (g.cols !== undefined) moved.push(...columnBuffers(g.cols));
  parentPort!.postMessage(r, moved);
  runner.reset();
});
